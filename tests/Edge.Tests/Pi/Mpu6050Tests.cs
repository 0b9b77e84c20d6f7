using System;
using Edge.Pi.Cli;
using Edge.Pi.Devices;
using Edge.Pi.Drivers;
using Xunit;

namespace Edge.Tests.Pi
{
    /// <summary>
    /// The MPU6050 driver against a register-map simulation written from the register map (RM-MPU-6000A-00 rev 4.2):
    /// the data registers hold what the device would put there for a known acceleration, rotation and
    /// temperature under the configured full-scale ranges.
    /// </summary>
    public class Mpu6050Tests
    {
        /// <summary>
        /// A simulated MPU6050 on I2C: 128 byte-wide registers, a register pointer set by the first written byte
        /// and auto-incremented on reads and writes. WHO_AM_I reads 0x68, PWR_MGMT_1 resets to 0x40 (asleep).
        /// Reading any data register recomputes ACCEL_*OUT, TEMP_OUT and GYRO_*OUT from <see cref="Accel"/> (g),
        /// <see cref="Gyro"/> (°/s) and <see cref="TemperatureC"/>: raw = clamp(round(value × LSB per unit), int16)
        /// with LSB/g = 16384 / 2^AFS_SEL and LSB/(°/s) = 131, 65.5, 32.8, 16.4 for FS_SEL 0..3, and
        /// TEMP_OUT = round((T − 36.53) × 340). While asleep the data registers read 0. Allocates nothing per access.
        /// </summary>
        public sealed class SimMpu6050 : I2cDevice
        {
            public readonly byte[] Regs = new byte[128];
            public double[] Accel = new double[3];
            public double[] Gyro = new double[3];
            public double TemperatureC = 25.0;
            public int WriteReads, Writes;
            public int LastReadStart = -1, LastReadLength;
            private int _ptr;

            public SimMpu6050(byte whoAmI = 0x68)
            {
                Regs[0x75] = whoAmI;
                Regs[0x6B] = 0x40;
            }

            public override int BusId => 1;
            public override int Address => 0x68;

            public static double AccelLsbPerG(int afsSel) => 16384.0 / (1 << afsSel);
            private static readonly double[] GyroLsb = { 131.0, 65.5, 32.8, 16.4 };
            public static double GyroLsbPerDps(int fsSel) => GyroLsb[fsSel];

            public static short ToRaw(double value, double lsbPerUnit)
                => (short)Math.Clamp(Math.Round(value * lsbPerUnit, MidpointRounding.AwayFromZero), short.MinValue, short.MaxValue);

            private void Put16(int reg, short v) { Regs[reg] = (byte)(v >> 8); Regs[reg + 1] = (byte)v; }

            private void Refresh()
            {
                bool asleep = (Regs[0x6B] & 0x40) != 0;
                double aLsb = AccelLsbPerG((Regs[0x1C] >> 3) & 3);
                double gLsb = GyroLsbPerDps((Regs[0x1B] >> 3) & 3);
                for (int i = 0; i < 3; i++)
                {
                    Put16(0x3B + 2 * i, asleep ? (short)0 : ToRaw(Accel[i], aLsb));
                    Put16(0x43 + 2 * i, asleep ? (short)0 : ToRaw(Gyro[i], gLsb));
                }
                Put16(0x41, asleep ? (short)0 : (short)Math.Round((TemperatureC - 36.53) * 340.0, MidpointRounding.AwayFromZero));
                Regs[0x3A] = 0x01; // DATA_RDY_INT
            }

            public override void WriteRead(ReadOnlySpan<byte> write, Span<byte> read)
            {
                WriteReads++;
                if (write.Length != 1) throw new InvalidOperationException("register reads write one pointer byte");
                _ptr = write[0];
                LastReadStart = _ptr; LastReadLength = read.Length;
                if (_ptr >= 0x3A && _ptr <= 0x48) Refresh();
                for (int i = 0; i < read.Length; i++) read[i] = Regs[(_ptr++) & 0x7F];
            }

            public override void Write(ReadOnlySpan<byte> data)
            {
                Writes++;
                if (data.Length == 0) return;
                _ptr = data[0];
                for (int i = 1; i < data.Length; i++)
                {
                    int r = (_ptr++) & 0x7F;
                    if (r == 0x75) continue; // read-only
                    Regs[r] = data[i];
                }
            }

            public override void Read(Span<byte> data)
            {
                for (int i = 0; i < data.Length; i++) data[i] = Regs[(_ptr++) & 0x7F];
            }
        }

        [Fact]
        public void WhoAmIMismatchIsADeviceError()
        {
            var e = Assert.Throws<DeviceException>(() => new Mpu6050(new SimMpu6050(whoAmI: 0x70)));
            Assert.Contains("0x70", e.Message);
            var ok = new Mpu6050(new SimMpu6050());
            Assert.Equal(AccelRange.G2, ok.AccelRange);
        }

        [Fact]
        public void ConfigureWakesAndWritesTheRegisters()
        {
            var sim = new SimMpu6050();
            var imu = new Mpu6050(sim);
            double rate = imu.Configure(100, dlpf: 3, AccelRange.G4, GyroRange.Dps500);
            Assert.Equal(0x01, sim.Regs[0x6B]);          // SLEEP clear, CLKSEL = 1
            Assert.Equal(3, sim.Regs[0x1A] & 7);          // DLPF_CFG
            Assert.Equal(9, sim.Regs[0x19]);              // 1 kHz / (1 + 9) = 100 Hz
            Assert.Equal(1 << 3, sim.Regs[0x1C]);         // AFS_SEL = 1
            Assert.Equal(1 << 3, sim.Regs[0x1B]);         // FS_SEL = 1
            Assert.Equal(100.0, rate);
            Assert.Equal(8192.0, imu.AccelLsbPerG);
            Assert.Equal(65.5, imu.GyroLsbPerDps);
        }

        /// <summary>Sample rate = gyro output rate / (1 + SMPLRT_DIV), gyro output 8 kHz with DLPF_CFG 0 or 7, else 1 kHz.</summary>
        [Theory]
        [InlineData(0, 1000.0, 7, 1000.0)]
        [InlineData(7, 8000.0, 0, 8000.0)]
        [InlineData(3, 50.0, 19, 50.0)]
        [InlineData(1, 200.0, 4, 200.0)]
        [InlineData(6, 3.0, 255, 1000.0 / 256)]     // the slowest the divider allows
        [InlineData(2, 1500.0, 0, 1000.0)]           // the fastest with the DLPF on
        [InlineData(3, 300.0, 2, 1000.0 / 3)]        // nearest: 1000/3 = 333 Hz beats 1000/4 = 250 Hz
        public void SampleRateDivider(int dlpf, double askHz, int expectDiv, double expectHz)
        {
            var sim = new SimMpu6050();
            var imu = new Mpu6050(sim);
            imu.Wake();
            imu.SetDlpf(dlpf);
            double got = imu.SetSampleRate(askHz);
            Assert.Equal(expectDiv, sim.Regs[0x19]);
            double gyroOut = dlpf == 0 || dlpf == 7 ? 8000.0 : 1000.0;
            Assert.Equal(gyroOut / (1 + expectDiv), got, 9);
            Assert.Equal(expectHz, got, 9);
        }

        public static TheoryData<int, int> Ranges()
        {
            var d = new TheoryData<int, int>();
            for (int a = 0; a < 4; a++) for (int g = 0; g < 4; g++) d.Add(a, g);
            return d;
        }

        /// <summary>Physical values through the simulated registers and back: within one LSB of each range.</summary>
        [Theory]
        [MemberData(nameof(Ranges))]
        public void RecoversPhysicalValuesWithinOneLsb(int afs, int fs)
        {
            var sim = new SimMpu6050();
            var imu = new Mpu6050(sim);
            imu.Configure(100, 3, (AccelRange)afs, (GyroRange)fs);
            double aMax = 2 << afs, gMax = 250 << fs;
            double aLsb = SimMpu6050.AccelLsbPerG(afs), gLsb = SimMpu6050.GyroLsbPerDps(fs);
            var rng = new Random(1000 + 4 * afs + fs);
            var s = new ImuSample();
            for (int k = 0; k < 200; k++)
            {
                for (int i = 0; i < 3; i++)
                {
                    sim.Accel[i] = (rng.NextDouble() * 2 - 1) * aMax * 0.999;
                    sim.Gyro[i] = (rng.NextDouble() * 2 - 1) * gMax * 0.99;
                }
                sim.TemperatureC = -40 + 125 * rng.NextDouble();
                imu.Read(ref s);
                Assert.InRange(Math.Abs(s.Ax - sim.Accel[0]), 0, 1 / aLsb);
                Assert.InRange(Math.Abs(s.Ay - sim.Accel[1]), 0, 1 / aLsb);
                Assert.InRange(Math.Abs(s.Az - sim.Accel[2]), 0, 1 / aLsb);
                Assert.InRange(Math.Abs(s.Gx - sim.Gyro[0]), 0, 1 / gLsb);
                Assert.InRange(Math.Abs(s.Gy - sim.Gyro[1]), 0, 1 / gLsb);
                Assert.InRange(Math.Abs(s.Gz - sim.Gyro[2]), 0, 1 / gLsb);
                Assert.InRange(Math.Abs(s.TemperatureC - sim.TemperatureC), 0, 1 / 340.0);
            }
        }

        [Fact]
        public void OneBurstOfFourteenBytesBigEndianSigned()
        {
            var sim = new SimMpu6050();
            var imu = new Mpu6050(sim);
            imu.Configure();
            sim.Accel[0] = -1.0; sim.Accel[1] = 0.5; sim.Accel[2] = 1.999;
            sim.Gyro[0] = -250; sim.Gyro[1] = 1.0 / 131; sim.Gyro[2] = 249;
            sim.TemperatureC = 36.53 - 1.0 / 340;
            int before = sim.WriteReads;
            Span<short> raw = stackalloc short[7];
            imu.ReadRaw(raw);
            Assert.Equal(1, sim.WriteReads - before);
            Assert.Equal(0x3B, sim.LastReadStart);
            Assert.Equal(14, sim.LastReadLength);
            // The raw values the register map defines: value × LSB per unit, two's complement.
            Assert.Equal(new short[] { -16384, 8192, 32752, -1, -32750, 1, 32619 }, raw.ToArray());
            // And the bytes: ACCEL_XOUT_H = 0xC0, ACCEL_XOUT_L = 0x00 for −16384.
            Assert.Equal(0xC0, sim.Regs[0x3B]);
            Assert.Equal(0x00, sim.Regs[0x3C]);
            Assert.Equal(36.53 - 1.0 / 340, Mpu6050.TemperatureFromRaw(raw[3]), 12);
        }

        [Fact]
        public void SaturatesAtFullScale()
        {
            var sim = new SimMpu6050();
            var imu = new Mpu6050(sim);
            imu.Configure(accel: AccelRange.G2);
            sim.Accel[0] = 3.0; sim.Accel[1] = -3.0;
            var s = new ImuSample();
            imu.Read(ref s);
            Assert.Equal(32767 / 16384.0, s.Ax);
            Assert.Equal(-2.0, s.Ay);
        }

        [Fact]
        public void AsleepReadsZeroAndWakeClearsSleep()
        {
            var sim = new SimMpu6050();
            var imu = new Mpu6050(sim);
            sim.Accel[2] = 1.0;
            var s = new ImuSample();
            imu.Read(ref s);               // reset state: asleep
            Assert.Equal(0.0, s.Az);
            imu.Wake();
            imu.Read(ref s);
            Assert.Equal(1.0, s.Az);
            imu.Sleep();
            Assert.NotEqual(0, sim.Regs[0x6B] & 0x40);
        }

        [Fact]
        public void ReadingAllocatesNothing()
        {
            var sim = new SimMpu6050();
            var imu = new Mpu6050(sim);
            imu.Configure();
            var s = new ImuSample();
            imu.Read(ref s);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++) imu.Read(ref s);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}
