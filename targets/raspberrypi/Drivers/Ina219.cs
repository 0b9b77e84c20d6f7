using System;
using Edge.Pi.Cli;
using Edge.Pi.Devices;

namespace Edge.Pi.Drivers
{
    /// <summary>Bus voltage full-scale range (configuration BRNG, bit 13).</summary>
    public enum Ina219BusRange { V16 = 0, V32 = 1 }

    /// <summary>Shunt PGA gain and range (configuration PG, bits 12:11): /1 ±40 mV, /2 ±80 mV, /4 ±160 mV, /8 ±320 mV.</summary>
    public enum Ina219Pga { Mv40 = 0, Mv80 = 1, Mv160 = 2, Mv320 = 3 }

    /// <summary>ADC resolution / averaging code (configuration BADC bits 10:7, SADC bits 6:3).</summary>
    public enum Ina219Adc
    {
        Bits9 = 0, Bits10 = 1, Bits11 = 2, Bits12 = 3,
        Samples2 = 9, Samples4 = 10, Samples8 = 11, Samples16 = 12, Samples32 = 13, Samples64 = 14, Samples128 = 15,
    }

    /// <summary>Operating mode (configuration MODE, bits 2:0).</summary>
    public enum Ina219Mode
    {
        PowerDown = 0, ShuntTriggered = 1, BusTriggered = 2, ShuntAndBusTriggered = 3,
        AdcOff = 4, ShuntContinuous = 5, BusContinuous = 6, ShuntAndBusContinuous = 7,
    }

    /// <summary>
    /// TI INA219 current/power monitor over I2C, written from Texas Instruments "INA219 Zerø-Drift, Bidirectional
    /// Current/Power Monitor With I2C Interface", SBOS448G (August 2008, revised December 2015):
    /// <list type="bullet">
    /// <item>§8.6.2.1 configuration register 00h (reset 399Fh): RST bit 15, BRNG bit 13 (0 = 16 V, 1 = 32 V), PG
    /// bits 12:11, BADC bits 10:7, SADC bits 6:3, MODE bits 2:0;</item>
    /// <item>§8.6.3.1 shunt voltage 01h: two's complement, LSB 10 µV; §8.6.3.2 bus voltage 02h: BD bits 15:3,
    /// LSB 4 mV, CNVR bit 1 (conversion ready), OVF bit 0 (math overflow: the current or power calculation is out
    /// of range); §8.6.3.3 power 03h: Power_LSB = 20 × Current_LSB; §8.6.3.4 current 04h: two's complement,
    /// LSB Current_LSB; §8.6.4.1 calibration 05h: bit 0 is void (always 0);</item>
    /// <item>§8.5.1 equations: Cal = trunc(0.04096 / (Current_LSB × R_SHUNT)); Current_LSB = Maximum Expected
    /// Current / 2^15; Power_LSB = 20 × Current_LSB; Current register = Shunt voltage register × Cal / 4096;
    /// Power register = Current register × Bus voltage register / 5000. All registers are 16-bit big-endian
    /// (most significant byte first).</item>
    /// </list>
    /// The worked example "Configure/Measure/Calculate" (10 A load, 12 V, 2 mΩ shunt: shunt 07D0h, bus 5D98h,
    /// calibration 5000h = 20480, current 2710h = 10000 × 1 mA, power 1766h = 5990 × 20 mW) was found in the
    /// datasheet text on a public manual mirror and is a unit test (tests/Edge.Tests/Pi/Ina219Tests.cs).
    /// <para>
    /// <b>Choosing Current_LSB.</b> The datasheet's minimum is Maximum Expected Current / 2^15; like its example
    /// (which takes a round 1 mA) this driver rounds that minimum <i>up</i> to the next 1-2-5 × 10^k value (so
    /// the current register never overflows below the expected maximum), raises it if needed so that Cal fits
    /// in 16 bits, computes Cal with trunc and clears the void bit 0. Because Cal is truncated, the LSB the chip
    /// actually applies is 0.04096 / (Cal × R_SHUNT); the driver converts with that <i>effective</i> LSB, which
    /// is exact for the chip's integer arithmetic (current register = trunc(shunt × Cal / 4096)).
    /// </para>
    /// Reads reuse buffers owned by the driver and allocate nothing.
    /// </summary>
    public sealed class Ina219 : IDisposable
    {
        public const int DefaultAddress = 0x40;
        public const byte RegConfig = 0x00, RegShunt = 0x01, RegBus = 0x02, RegPower = 0x03, RegCurrent = 0x04, RegCalibration = 0x05;
        public const ushort ConfigReset = 0x399F;
        public const double ShuntLsbVolts = 10e-6, BusLsbVolts = 4e-3;
        /// <summary>The calibration constant of §8.5.1 (0.04096 = 4096 × 10 µV, fixed by the chip's scaling).</summary>
        public const double CalibrationConstant = 0.04096;

        private readonly I2cDevice _dev;
        private readonly bool _ownsDevice;
        private readonly byte[] _reg = new byte[1];
        private readonly byte[] _rx = new byte[2];
        private readonly byte[] _tx = new byte[3];

        public Ina219(I2cDevice device, bool ownsDevice = false)
        {
            _dev = device ?? throw new ArgumentNullException(nameof(device));
            _ownsDevice = ownsDevice;
        }

        public I2cDevice Device => _dev;
        public double ShuntOhms { get; private set; }
        public ushort Calibration { get; private set; }
        /// <summary>The Current_LSB chosen before truncating Cal (A).</summary>
        public double NominalCurrentLsb { get; private set; }
        /// <summary>The LSB the chip applies with the programmed Cal: 0.04096 / (Cal × R) (A).</summary>
        public double CurrentLsb { get; private set; }
        public double PowerLsb => 20.0 * CurrentLsb;
        public Ina219Pga Pga { get; private set; } = Ina219Pga.Mv320;
        public ushort ConfigWord { get; private set; } = ConfigReset;
        /// <summary>Set by the last <see cref="Read"/>: OVF was set or the shunt voltage reached the PGA's full scale.</summary>
        public bool LastOverflow { get; private set; }

        /// <summary>Full-scale shunt voltage of a PGA setting (V).</summary>
        public static double PgaFullScale(Ina219Pga pga) => 0.040 * (1 << (int)pga);

        /// <summary>
        /// The smallest PGA range that holds <paramref name="maxShuntVolts"/> (throws above 320 mV; a relative 1e-9
        /// absorbs binary rounding, so 3.2 A × 0.1 Ω fits 320 mV).
        /// </summary>
        public static Ina219Pga PgaFor(double maxShuntVolts)
        {
            for (int p = 0; p <= 3; p++)
                if (maxShuntVolts <= PgaFullScale((Ina219Pga)p) * (1 + 1e-9)) return (Ina219Pga)p;
            throw new ArgumentOutOfRangeException(nameof(maxShuntVolts),
                $"max current × shunt = {maxShuntVolts * 1000:G4} mV exceeds the INA219's 320 mV shunt range");
        }

        /// <summary>Configuration word: BRNG, PG, BADC, SADC, MODE.</summary>
        public static ushort ConfigFor(Ina219BusRange bus, Ina219Pga pga, Ina219Adc busAdc, Ina219Adc shuntAdc, Ina219Mode mode)
            => (ushort)(((int)bus << 13) | ((int)pga << 11) | ((int)busAdc << 7) | ((int)shuntAdc << 3) | (int)mode);

        /// <summary>
        /// Cal = trunc(0.04096 / (Current_LSB × R_SHUNT)) (§8.5.1 equation 1), before clearing bit 0. A relative
        /// 1e-12 is added before truncating so that decimal inputs whose quotient is a whole number (0.04096 /
        /// (1 mA × 2 mΩ) = 20480) are not cut to the integer below by binary rounding.
        /// </summary>
        public static long CalibrationFor(double currentLsb, double shuntOhms)
            => (long)Math.Floor(CalibrationConstant / (currentLsb * shuntOhms) * (1 + 1e-12));

        /// <summary>The smallest 1-2-5 × 10^k value ≥ <paramref name="x"/> (x > 0).</summary>
        public static double RoundUp125(double x)
        {
            if (!(x > 0)) throw new ArgumentOutOfRangeException(nameof(x));
            double decade = Math.Pow(10, Math.Floor(Math.Log10(x)));
            foreach (double m in new[] { 1.0, 2.0, 5.0, 10.0 })
            {
                double v = m * decade;
                // tolerate representation error: 3e-4 / 1e-4 must give 5e-4, 2e-4 must stay 2e-4
                if (v >= x * (1 - 1e-12)) return v;
            }
            return 10 * decade;
        }

        /// <summary>
        /// The Current_LSB this driver picks: max(maxAmps / 2^15, the smallest LSB whose Cal fits 0xFFFE) rounded up
        /// to 1-2-5 × 10^k.
        /// </summary>
        public static double ChooseCurrentLsb(double maxAmps, double shuntOhms)
        {
            double min = Math.Max(maxAmps / 32768.0, CalibrationConstant / (0xFFFE * shuntOhms));
            return RoundUp125(min);
        }

        /// <summary>
        /// Writes the configuration and calibration registers. PGA: the smallest range that holds
        /// maxAmps × shuntOhms. Default ADC: 12 bits, no averaging (532 µs per conversion), shunt and bus
        /// continuous. <paramref name="currentLsb"/> overrides the automatic Current_LSB choice.
        /// Reads both registers back and throws <see cref="DeviceException"/> if they differ (nothing answering).
        /// </summary>
        public void Configure(double shuntOhms, double maxAmps, Ina219BusRange bus = Ina219BusRange.V32,
            Ina219Adc adc = Ina219Adc.Bits12, Ina219Mode mode = Ina219Mode.ShuntAndBusContinuous, double currentLsb = 0)
        {
            if (!(shuntOhms > 0)) throw new ArgumentOutOfRangeException(nameof(shuntOhms), "shunt resistance must be positive");
            if (!(maxAmps > 0)) throw new ArgumentOutOfRangeException(nameof(maxAmps), "max current must be positive");
            var pga = PgaFor(maxAmps * shuntOhms);
            double lsb = currentLsb > 0 ? currentLsb : ChooseCurrentLsb(maxAmps, shuntOhms);
            long cal = CalibrationFor(lsb, shuntOhms) & ~1L;
            if (cal < 2 || cal > 0xFFFE)
                throw new ArgumentOutOfRangeException(nameof(currentLsb), $"calibration {cal} out of range (Current_LSB {lsb} A, shunt {shuntOhms} Ω)");

            ushort config = ConfigFor(bus, pga, adc, adc, mode);
            WriteRegister(RegConfig, config);
            WriteRegister(RegCalibration, (ushort)cal);
            ushort cfgBack = ReadRegister(RegConfig), calBack = ReadRegister(RegCalibration);
            if (cfgBack != config || calBack != (ushort)cal)
                throw new DeviceException($"INA219 at bus {_dev.BusId} address 0x{_dev.Address:x2}: registers read back 0x{cfgBack:x4}/0x{calBack:x4}, wrote 0x{config:x4}/0x{cal:x4}");

            ShuntOhms = shuntOhms;
            Pga = pga;
            ConfigWord = config;
            Calibration = (ushort)cal;
            NominalCurrentLsb = lsb;
            CurrentLsb = CalibrationConstant / (cal * shuntOhms);
        }

        /// <summary>Sets RST (bit 15): all registers return to their reset values.</summary>
        public void Reset() => WriteRegister(RegConfig, 0x8000);

        /// <summary>Shunt voltage (V): signed register × 10 µV.</summary>
        public double ReadShuntVolts() => (short)ReadRegister(RegShunt) * ShuntLsbVolts;

        /// <summary>Bus voltage (V): bits 15:3 × 4 mV, with the CNVR and OVF flags.</summary>
        public double ReadBusVolts(out bool conversionReady, out bool mathOverflow)
        {
            ushort r = ReadRegister(RegBus);
            conversionReady = (r & 0x2) != 0;
            mathOverflow = (r & 0x1) != 0;
            return (r >> 3) * BusLsbVolts;
        }

        /// <summary>Current (A): signed current register × the effective Current_LSB (needs <see cref="Configure"/>).</summary>
        public double ReadCurrentAmps() => (short)ReadRegister(RegCurrent) * CurrentLsb;

        /// <summary>Power (W): power register × 20 × the effective Current_LSB.</summary>
        public double ReadPowerWatts() => ReadRegister(RegPower) * PowerLsb;

        /// <summary>
        /// One measurement for energy sampling: bus voltage (V) and current (A) in two register reads; sets
        /// <see cref="LastOverflow"/> from OVF and from the shunt register (a third read) only when OVF is clear
        /// and the current is at the PGA's full scale. Allocates nothing.
        /// </summary>
        public void Read(out double volts, out double amps)
        {
            volts = ReadBusVolts(out _, out bool ovf);
            short cur = (short)ReadRegister(RegCurrent);
            amps = cur * CurrentLsb;
            bool over = ovf;
            if (!over && Math.Abs(amps * ShuntOhms) >= PgaFullScale(Pga) * 0.999)
                over = Math.Abs((short)ReadRegister(RegShunt)) >= (int)Math.Round(PgaFullScale(Pga) / ShuntLsbVolts);
            LastOverflow = over;
        }

        public ushort ReadRegister(byte reg)
        {
            _reg[0] = reg;
            _dev.WriteRead(_reg, _rx);
            return (ushort)((_rx[0] << 8) | _rx[1]);
        }

        public void WriteRegister(byte reg, ushort value)
        {
            _tx[0] = reg; _tx[1] = (byte)(value >> 8); _tx[2] = (byte)value;
            _dev.Write(_tx);
        }

        public void Dispose()
        {
            if (_ownsDevice) _dev.Dispose();
        }
    }
}
