using System;
using Edge.Pi.Cli;
using Edge.Pi.Devices;
using Edge.Pi.Drivers;
using Xunit;

namespace Edge.Tests.Pi
{
    /// <summary>
    /// The INA219 driver against a register-map simulation that computes its registers from a current and a
    /// voltage as SBOS448G §8.5.1 and §8.6 describe, and against the datasheet's worked example.
    /// </summary>
    public class Ina219Tests
    {
        /// <summary>
        /// A simulated INA219: six 16-bit big-endian registers behind a register pointer (the first written byte).
        /// From <see cref="Amps"/> through <see cref="ShuntOhms"/> and <see cref="BusVolts"/> (at the load side of
        /// the shunt) every read computes, as the datasheet says (an ideal ADC at the register LSBs):
        /// shunt = round(I × R / 10 µV) clipped to the PGA range (±4000 × 2^PG); bus = round(V / 4 mV) in bits
        /// 15:3 with CNVR (bit 1) set and OVF (bit 0); current = trunc(shunt × Cal / 4096); power =
        /// trunc(|current| × bus / 5000). OVF is set when current or power does not fit its register. Calibration
        /// bit 0 is void (reads 0); RST (config bit 15) restores 399Fh and clears Cal. Allocates nothing.
        /// </summary>
        public sealed class SimIna219 : I2cDevice
        {
            public ushort Config = 0x399F, Cal;
            public double Amps, BusVolts = 5.0, ShuntOhms = 0.1;
            /// <summary>When set, writes are ignored (a device that does not answer properly).</summary>
            public bool IgnoreWrites;
            public int Reads;
            private int _ptr;

            public override int BusId => 1;
            public override int Address => 0x40;

            public int PgaCounts => 4000 << ((Config >> 11) & 3);

            public short ShuntRegister(out bool clipped)
            {
                double counts = Math.Round(Amps * ShuntOhms / 10e-6, MidpointRounding.AwayFromZero);
                clipped = Math.Abs(counts) > PgaCounts;
                return (short)Math.Clamp(counts, -PgaCounts, PgaCounts);
            }

            public int BusCounts => (int)Math.Clamp(Math.Round(BusVolts / 4e-3, MidpointRounding.AwayFromZero), 0, 8191);

            /// <summary>(current register, power register, overflow) as the chip computes them.</summary>
            public (short current, ushort power, bool ovf) Compute()
            {
                long shunt = ShuntRegister(out _);
                long cur = shunt * Cal / 4096;               // C# integer division truncates toward zero
                bool ovf = cur > short.MaxValue || cur < short.MinValue;
                cur = Math.Clamp(cur, short.MinValue, short.MaxValue);
                long pow = Math.Abs(cur) * BusCounts / 5000;
                if (pow > ushort.MaxValue) { ovf = true; pow = ushort.MaxValue; }
                return ((short)cur, (ushort)pow, ovf);
            }

            public ushort Register(int reg)
            {
                switch (reg)
                {
                    case 0: return Config;
                    case 1: return (ushort)ShuntRegister(out _);
                    case 2: return (ushort)((BusCounts << 3) | 0x2 | (Compute().ovf ? 1 : 0));
                    case 3: return Compute().power;
                    case 4: return (ushort)Compute().current;
                    case 5: return Cal;
                    default: return 0;
                }
            }

            public override void WriteRead(ReadOnlySpan<byte> write, Span<byte> read)
            {
                if (write.Length != 1 || read.Length != 2) throw new InvalidOperationException("register reads: one pointer byte, two data bytes");
                Reads++;
                _ptr = write[0];
                ushort v = Register(_ptr);
                read[0] = (byte)(v >> 8); read[1] = (byte)v;
            }

            public override void Write(ReadOnlySpan<byte> data)
            {
                if (data.Length == 0) return;
                _ptr = data[0];
                if (data.Length == 1 || IgnoreWrites) return;
                if (data.Length != 3) throw new InvalidOperationException("register writes: pointer + two bytes");
                ushort v = (ushort)((data[1] << 8) | data[2]);
                if (_ptr == 0)
                {
                    if ((v & 0x8000) != 0) { Config = 0x399F; Cal = 0; }
                    else Config = v;
                }
                else if (_ptr == 5) Cal = (ushort)(v & 0xFFFE);
            }

            public override void Read(Span<byte> data)
            {
                ushort v = Register(_ptr);
                if (data.Length > 0) data[0] = (byte)(v >> 8);
                if (data.Length > 1) data[1] = (byte)v;
            }
        }

        /// <summary>
        /// SBOS448G's "Configure/Measure/Calculate Example": 10 A load, V_CM = 12 V, R_SHUNT = 2 mΩ, 40 mV shunt
        /// range, 16 V bus range, Current_LSB 1 mA. Datasheet values: configuration 019Fh, shunt 07D0h (2000 × 10 µV
        /// = 20 mV), bus 5D98h (2995 × 4 mV = 11.98 V), calibration 5000h (20480), current 2710h (10000 × 1 mA =
        /// 10.0 A), power 1766h (5990 × 20 mW = 119.8 W).
        /// </summary>
        [Fact]
        public void DatasheetWorkedExample()
        {
            Assert.Equal(20480, Ina219.CalibrationFor(0.001, 0.002));
            var sim = new SimIna219 { Amps = 10.0, ShuntOhms = 0.002, BusVolts = 12.0 - 10.0 * 0.002 };
            var ina = new Ina219(sim);
            ina.Configure(shuntOhms: 0.002, maxAmps: 10.0, bus: Ina219BusRange.V16, currentLsb: 0.001);
            Assert.Equal(0x019F, sim.Config);
            Assert.Equal(0x5000, sim.Cal);
            Assert.Equal(0x07D0, ina.ReadRegister(Ina219.RegShunt));
            Assert.Equal(0x5D98, ina.ReadRegister(Ina219.RegBus) & 0xFFF8);
            Assert.Equal(0x2710, ina.ReadRegister(Ina219.RegCurrent));
            Assert.Equal(0x1766, ina.ReadRegister(Ina219.RegPower));
            Assert.Equal(0.001, ina.CurrentLsb, 15);
            Assert.Equal(10.0, ina.ReadCurrentAmps(), 9);
            Assert.Equal(119.8, ina.ReadPowerWatts(), 9);
            Assert.Equal(11.98, ina.ReadBusVolts(out bool cnvr, out bool ovf), 9);
            Assert.Equal(0.020, ina.ReadShuntVolts(), 12);
            Assert.True(cnvr);
            Assert.False(ovf);
        }

        /// <summary>
        /// The driver's Current_LSB and Cal against an independent computation: the minimum LSB is the larger of
        /// max/2^15 and the one that keeps Cal ≤ 0xFFFE; the chosen LSB is the smallest value of the list
        /// {1, 2, 5} × 10^k (k = −9..0) not below it; Cal = floor(0.04096 / (LSB × R)) with bit 0 cleared.
        /// </summary>
        [Theory]
        [InlineData(0.1, 3.2)]
        [InlineData(0.1, 0.4)]
        [InlineData(0.1, 1.0)]
        [InlineData(0.01, 2.0)]
        [InlineData(0.002, 10.0)]
        [InlineData(0.05, 0.5)]
        [InlineData(0.1, 0.001)]      // tiny current: the LSB is raised so that Cal fits 16 bits
        [InlineData(0.5, 0.6)]
        public void CalibrationMatchesIndependentComputation(double r, double maxA)
        {
            double min = Math.Max(maxA / 32768, 0.04096 / (65534 * r));
            double lsb = double.NaN;
            for (int k = -9; k <= 0 && double.IsNaN(lsb); k++)
                foreach (int m in new[] { 1, 2, 5 })
                {
                    double c = m * Math.Pow(10, k);
                    if (c >= min * (1 - 1e-12)) { lsb = c; break; }
                }
            // Exact decimal arithmetic for the truncation (the inputs are decimal numbers).
            long cal = (long)decimal.Truncate(0.04096m / ((decimal)lsb * (decimal)r)) & ~1L;

            var sim = new SimIna219 { ShuntOhms = r };
            var ina = new Ina219(sim);
            ina.Configure(r, maxA);
            Assert.Equal(lsb, ina.NominalCurrentLsb, 15);
            Assert.Equal(cal, sim.Cal);
            Assert.Equal(cal, ina.Calibration);
            Assert.Equal(0.04096 / (cal * r), ina.CurrentLsb, 15);
            Assert.True(lsb * 32768 >= maxA * (1 - 1e-12), "the current register holds the expected maximum");
            // PGA: the smallest of 40/80/160/320 mV holding maxA × R.
            int pg = 0;
            while (0.040m * (1 << pg) < (decimal)maxA * (decimal)r) pg++;
            Assert.Equal(pg, (sim.Config >> 11) & 3);
        }

        public static TheoryData<double, double, double> Cases() => new()
        {
            { 0.1, 3.2, 32.0 },
            { 0.1, 0.4, 16.0 },
            { 0.01, 2.0, 32.0 },
            { 0.002, 10.0, 16.0 },
            { 0.1, 1.0, 32.0 },
        };

        /// <summary>
        /// Currents and voltages through the simulated registers and back: the driver's values equal the register
        /// arithmetic exactly, and are within one LSB of the truth (current: one effective Current_LSB plus half a
        /// shunt LSB, 5 µV / R, the ADC's own rounding; bus: half of 4 mV).
        /// </summary>
        [Theory]
        [MemberData(nameof(Cases))]
        public void RecoversCurrentAndVoltageWithinOneLsb(double r, double maxA, double vMax)
        {
            var sim = new SimIna219 { ShuntOhms = r };
            var ina = new Ina219(sim);
            ina.Configure(r, maxA, vMax > 16 ? Ina219BusRange.V32 : Ina219BusRange.V16);
            var rng = new Random((int)(r * 1e4 + maxA * 10));
            for (int k = 0; k < 500; k++)
            {
                sim.Amps = (rng.NextDouble() * 2 - 1) * maxA * 0.999;
                sim.BusVolts = rng.NextDouble() * vMax * 0.99;
                ina.Read(out double v, out double a);
                Assert.False(ina.LastOverflow);

                long shuntReg = (long)Math.Round(sim.Amps * r / 10e-6, MidpointRounding.AwayFromZero);
                long curReg = shuntReg * sim.Cal / 4096;
                long busReg = (long)Math.Round(sim.BusVolts / 0.004, MidpointRounding.AwayFromZero);
                double lsb = 0.04096 / (sim.Cal * r);
                Assert.Equal(curReg * lsb, a, 12);
                Assert.Equal(busReg * 0.004, v, 12);
                Assert.InRange(Math.Abs(a - sim.Amps), 0, lsb + 0.5 * 10e-6 / r + 1e-12);
                Assert.InRange(Math.Abs(v - sim.BusVolts), 0, 0.002 + 1e-12);

                long powReg = Math.Abs(curReg) * busReg / 5000;
                Assert.Equal(powReg * 20 * lsb, ina.ReadPowerWatts(), 12);
                Assert.Equal(shuntReg * 10e-6, ina.ReadShuntVolts(), 12);
            }
        }

        [Fact]
        public void OverflowIsDetected()
        {
            // Shunt beyond the PGA range (0.4 A × 0.1 Ω = 40 mV: PGA /1; 0.6 A drives 60 mV).
            var sim = new SimIna219 { ShuntOhms = 0.1, BusVolts = 5 };
            var ina = new Ina219(sim);
            ina.Configure(0.1, 0.4);
            Assert.Equal(0, (sim.Config >> 11) & 3);
            sim.Amps = 0.3;
            ina.Read(out _, out _);
            Assert.False(ina.LastOverflow);
            sim.Amps = 0.6;
            ina.Read(out _, out double a);
            Assert.True(ina.LastOverflow);
            Assert.True(a < 0.6);

            // Math overflow: a Cal so large that the current register overflows (OVF in the bus register).
            sim = new SimIna219 { ShuntOhms = 0.1, BusVolts = 5, Amps = 0.3 };
            ina = new Ina219(sim);
            ina.Configure(0.1, 0.4, currentLsb: 8e-6);     // Cal = 51200: 30 mV = 3000 × 51200 / 4096 = 37500 > 32767
            ina.Read(out _, out _);
            Assert.True(ina.LastOverflow);
            Assert.Equal(1, ina.ReadRegister(Ina219.RegBus) & 1);
        }

        [Fact]
        public void ADeviceThatIgnoresWritesIsADeviceError()
        {
            var sim = new SimIna219 { IgnoreWrites = true };
            Assert.Throws<DeviceException>(() => new Ina219(sim).Configure(0.1, 3.2));
        }

        [Fact]
        public void BadSetupsAreRejected()
        {
            var ina = new Ina219(new SimIna219());
            Assert.Throws<ArgumentOutOfRangeException>(() => ina.Configure(0.1, 4.0));   // 400 mV > 320 mV
            Assert.Throws<ArgumentOutOfRangeException>(() => ina.Configure(0, 1.0));
            Assert.Throws<ArgumentOutOfRangeException>(() => ina.Configure(0.1, -1));
        }

        [Fact]
        public void ResetRestoresDefaults()
        {
            var sim = new SimIna219();
            var ina = new Ina219(sim);
            ina.Configure(0.1, 1.0);
            ina.Reset();
            Assert.Equal(Ina219.ConfigReset, ina.ReadRegister(Ina219.RegConfig));
            Assert.Equal(0, ina.ReadRegister(Ina219.RegCalibration));
        }

        [Fact]
        public void ReadingAllocatesNothing()
        {
            var sim = new SimIna219 { Amps = 0.5, BusVolts = 5.1 };
            var ina = new Ina219(sim);
            ina.Configure(0.1, 3.2);
            ina.Read(out _, out _);
            long before = GC.GetAllocatedBytesForCurrentThread();
            double sum = 0;
            for (int i = 0; i < 1000; i++) { ina.Read(out double v, out double a); sum += v * a; }
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.True(sum > 0);
        }
    }
}
