using System;
using Edge.Pi.Drivers;

namespace Edge.Pi.Energy
{
    /// <summary>
    /// A source of supply measurements for the energy runner. <see cref="Read"/> is called from the sampling
    /// thread at a fixed rate and must not allocate.
    /// </summary>
    public abstract class PowerSensor : IDisposable
    {
        /// <summary>One measurement: the supply voltage at the load (V) and the load current (A).</summary>
        public abstract void Read(out double volts, out double amps);

        /// <summary>True when the last <see cref="Read"/> was out of the sensor's range (the value is clipped).</summary>
        public virtual bool LastOverflow => false;

        public virtual void Dispose() { }
    }

    /// <summary>An INA219 (configured by the caller) as a <see cref="PowerSensor"/>: bus voltage and current registers.</summary>
    public sealed class Ina219PowerSensor : PowerSensor
    {
        private readonly Ina219 _ina;
        private readonly bool _owns;

        public Ina219PowerSensor(Ina219 ina, bool ownsDriver = false) { _ina = ina ?? throw new ArgumentNullException(nameof(ina)); _owns = ownsDriver; }

        public Ina219 Driver => _ina;

        public override void Read(out double volts, out double amps) => _ina.Read(out volts, out amps);

        public override bool LastOverflow => _ina.LastOverflow;

        public override void Dispose() { if (_owns) _ina.Dispose(); }
    }
}
