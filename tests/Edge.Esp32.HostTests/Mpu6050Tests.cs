using System;
using Xunit;

namespace Edge.Esp32.HostTests
{
    /// <summary>
    /// A simulated MPU6050 register file behind <see cref="RegisterBus"/>: writes set the register pointer and
    /// store data with auto-increment; write-reads read from the pointer with auto-increment, as the chip does.
    /// </summary>
    public sealed class SimulatedMpu6050 : RegisterBus
    {
        public readonly byte[] Registers = new byte[128];
        public int Writes, Transfers;
        public readonly System.Collections.Generic.List<(int Register, byte Value)> WriteLog = new System.Collections.Generic.List<(int, byte)>();

        public SimulatedMpu6050() { Registers[Mpu6050.RegWhoAmI] = 0x68; Registers[Mpu6050.RegPwrMgmt1] = 0x40; }

        public override void Write(byte[] write)
        {
            Writes++;
            int reg = write[0];
            for (int i = 1; i < write.Length; i++) { Registers[reg + i - 1] = write[i]; WriteLog.Add((reg + i - 1, write[i])); }
        }

        public override void WriteRead(byte[] write, byte[] read)
        {
            Transfers++;
            if (write.Length != 1) throw new InvalidOperationException("the MPU6050 register pointer is one byte");
            int reg = write[0];
            for (int i = 0; i < read.Length; i++) read[i] = Registers[(reg + i) & 127];
        }

        /// <summary>Stores a big-endian int16 at the register pair starting at <paramref name="reg"/>.</summary>
        public void Set16(int reg, int value)
        {
            Registers[reg] = (byte)(value >> 8);
            Registers[reg + 1] = (byte)value;
        }

        public void SetSample(int ax, int ay, int az, int temp, int gx, int gy, int gz)
        {
            Set16(0x3B, ax); Set16(0x3D, ay); Set16(0x3F, az); Set16(0x41, temp);
            Set16(0x43, gx); Set16(0x45, gy); Set16(0x47, gz);
        }
    }

    public class Mpu6050Tests
    {
        [Fact]
        public void Reads_WHO_AM_I_from_register_0x75()
        {
            var bus = new SimulatedMpu6050();
            Assert.Equal(0x68, new Mpu6050(bus).ReadWhoAmI());
            bus.Registers[0x75] = 0x72;
            Assert.Equal(0x72, new Mpu6050(bus).ReadWhoAmI());
        }

        [Fact]
        public void Initialize_wakes_the_chip_and_sets_the_ranges()
        {
            var bus = new SimulatedMpu6050();
            new Mpu6050(bus).Initialize(9);
            Assert.Equal(0x01, bus.Registers[0x6B]);   // PWR_MGMT_1: SLEEP cleared (was 0x40 at reset), PLL X gyro
            Assert.Equal(9, bus.Registers[0x19]);      // SMPLRT_DIV
            Assert.Equal(0x03, bus.Registers[0x1A]);   // CONFIG: DLPF 44 Hz
            Assert.Equal(0x00, bus.Registers[0x1B]);   // GYRO_CONFIG ±250 °/s
            Assert.Equal(0x00, bus.Registers[0x1C]);   // ACCEL_CONFIG ±2 g
            Assert.Equal(0x6B, bus.WriteLog[0].Register); // wake first
        }

        [Fact]
        public void Initialize_rejects_a_chip_that_is_not_an_MPU6050()
        {
            var bus = new SimulatedMpu6050();
            bus.Registers[0x75] = 0x71;   // an MPU9250
            var e = Assert.Throws<SensorException>(() => new Mpu6050(bus).Initialize(9));
            Assert.Contains("0x71", e.Message);
            Assert.Equal(0, bus.Writes);
        }

        [Theory]
        [InlineData(0, 0, 0, 0, 0, 0, 0)]
        [InlineData(16384, -16384, 32767, -32768, 131, -131, 1)]
        [InlineData(-1, 256, 255, -340, -2, 32766, -32767)]
        public void Burst_read_decodes_seven_big_endian_int16(int ax, int ay, int az, int t, int gx, int gy, int gz)
        {
            var bus = new SimulatedMpu6050();
            bus.SetSample(ax, ay, az, t, gx, gy, gz);
            var s = new Mpu6050Sample();
            new Mpu6050(bus).Read(s);
            Assert.Equal(1, bus.Transfers);
            Assert.Equal(new[] { ax, ay, az, t, gx, gy, gz }, new[] { s.AccelX, s.AccelY, s.AccelZ, s.TemperatureRaw, s.GyroX, s.GyroY, s.GyroZ });
        }

        [Fact]
        public void Decode_reads_high_byte_first()
        {
            // Independent of the simulator: bytes as they come off the bus.
            byte[] raw = { 0x12, 0x34, 0xFF, 0xFE, 0x80, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0x00, 0x01, 0xC0, 0x00 };
            var s = new Mpu6050Sample();
            Mpu6050.Decode(raw, 0, s);
            Assert.Equal(0x1234, s.AccelX);
            Assert.Equal(-2, s.AccelY);
            Assert.Equal(-32768, s.AccelZ);
            Assert.Equal(0, s.TemperatureRaw);
            Assert.Equal(32767, s.GyroX);
            Assert.Equal(1, s.GyroY);
            Assert.Equal(-16384, s.GyroZ);
            Assert.Throws<ArgumentException>(() => Mpu6050.Decode(new byte[13], 0, s));
            Assert.Throws<ArgumentException>(() => Mpu6050.Decode(new byte[14], 1, s));
        }

        [Theory]
        [InlineData(0, 36530)]        // datasheet: raw / 340 + 36.53 °C
        [InlineData(-340, 35530)]
        [InlineData(3400, 46530)]
        [InlineData(-12410, 30)]      // 36.53 - 36.50
        public void Temperature_follows_the_datasheet_formula(int raw, int milliC)
        {
            Assert.Equal(milliC, new Mpu6050Sample { TemperatureRaw = raw }.TemperatureMilliC);
        }

        [Fact]
        public void Read_allocates_nothing()
        {
            var bus = new SimulatedMpu6050();
            var mpu = new Mpu6050(bus);
            var s = new Mpu6050Sample();
            mpu.Read(s);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++) mpu.Read(s);
            Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        }
    }
}
