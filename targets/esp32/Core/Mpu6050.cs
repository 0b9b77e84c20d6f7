using System;

namespace Edge.Esp32
{
    /// <summary>One decoded MPU6050 reading: raw big-endian int16 registers 0x3B..0x48.</summary>
    public sealed class Mpu6050Sample
    {
        public int AccelX, AccelY, AccelZ;
        public int TemperatureRaw;
        public int GyroX, GyroY, GyroZ;

        /// <summary>Die temperature in milli-degrees Celsius (datasheet: raw / 340 + 36.53).</summary>
        public int TemperatureMilliC
        {
            get
            {
                // raw*1000/340 rounded toward zero, plus 36530; integer-only.
                return TemperatureRaw * 1000 / 340 + 36530;
            }
        }
    }

    /// <summary>Thrown when the sensor does not answer as an MPU6050.</summary>
    public sealed class SensorException : Exception
    {
        public SensorException(string message) : base(message) { }
    }

    /// <summary>
    /// Minimal MPU6050 driver (InvenSense MPU-6000/6050 register map rev 4.2): wake it from sleep, set the
    /// full-scale ranges, and burst-read the 14 data bytes from ACCEL_XOUT_H (0x3B). All buffers are allocated
    /// once in the constructor; <see cref="Read"/> allocates nothing.
    /// </summary>
    public sealed class Mpu6050
    {
        public const int DefaultAddress = 0x68;      // AD0 low (0x69 with AD0 high)
        public const byte RegSmplrtDiv = 0x19;
        public const byte RegConfig = 0x1A;
        public const byte RegGyroConfig = 0x1B;
        public const byte RegAccelConfig = 0x1C;
        public const byte RegAccelXoutH = 0x3B;      // start of the 14-byte burst
        public const byte RegPwrMgmt1 = 0x6B;
        public const byte RegWhoAmI = 0x75;
        public const int WhoAmIValue = 0x68;
        public const int BurstLength = 14;

        /// <summary>LSB per g at ±2 g (ACCEL_CONFIG AFS_SEL = 0).</summary>
        public const int AccelLsbPerG = 16384;
        /// <summary>LSB per °/s ×10 at ±250 °/s (GYRO_CONFIG FS_SEL = 0: 131 LSB per °/s).</summary>
        public const int GyroLsbPerDps = 131;

        private readonly RegisterBus _bus;
        private readonly byte[] _one = new byte[1];
        private readonly byte[] _two = new byte[2];
        private readonly byte[] _whoAmI = new byte[1];
        private readonly byte[] _burst = new byte[BurstLength];

        public Mpu6050(RegisterBus bus)
        {
            if (bus == null) throw new ArgumentNullException("bus");
            _bus = bus;
        }

        /// <summary>Reads WHO_AM_I (0x75); an MPU6050 answers 0x68 whatever its AD0 pin.</summary>
        public int ReadWhoAmI()
        {
            _one[0] = RegWhoAmI;
            _bus.WriteRead(_one, _whoAmI);
            return _whoAmI[0];
        }

        /// <summary>
        /// Checks WHO_AM_I, wakes the chip (PWR_MGMT_1 = 0x01: sleep off, clock from the X gyro PLL), sets
        /// ±2 g / ±250 °/s, the 44 Hz digital low-pass filter and a 1 kHz / (1 + <paramref name="sampleRateDivider"/>)
        /// sample rate.
        /// </summary>
        public void Initialize(int sampleRateDivider)
        {
            int id = ReadWhoAmI();
            if (id != WhoAmIValue)
                throw new SensorException(string.Concat("WHO_AM_I (0x75) is 0x", Hex2(id), ", an MPU6050 answers 0x68"));
            WriteRegister(RegPwrMgmt1, 0x01);
            WriteRegister(RegSmplrtDiv, (byte)(sampleRateDivider & 0xFF));
            WriteRegister(RegConfig, 0x03);
            WriteRegister(RegGyroConfig, 0x00);
            WriteRegister(RegAccelConfig, 0x00);
        }

        public void WriteRegister(byte register, byte value)
        {
            _two[0] = register;
            _two[1] = value;
            _bus.Write(_two);
        }

        /// <summary>Burst-reads 0x3B..0x48 and decodes it into <paramref name="sample"/>. Allocates nothing.</summary>
        public void Read(Mpu6050Sample sample)
        {
            _one[0] = RegAccelXoutH;
            _bus.WriteRead(_one, _burst);
            Decode(_burst, 0, sample);
        }

        /// <summary>
        /// Decodes the 14-byte burst: seven big-endian signed 16-bit values, in register order
        /// ACCEL_X, ACCEL_Y, ACCEL_Z, TEMP, GYRO_X, GYRO_Y, GYRO_Z.
        /// </summary>
        public static void Decode(byte[] raw, int offset, Mpu6050Sample sample)
        {
            if (raw == null || offset < 0 || offset > raw.Length - BurstLength)
                throw new ArgumentException("the MPU6050 burst is 14 bytes");
            sample.AccelX = BigEndianInt16(raw, offset);
            sample.AccelY = BigEndianInt16(raw, offset + 2);
            sample.AccelZ = BigEndianInt16(raw, offset + 4);
            sample.TemperatureRaw = BigEndianInt16(raw, offset + 6);
            sample.GyroX = BigEndianInt16(raw, offset + 8);
            sample.GyroY = BigEndianInt16(raw, offset + 10);
            sample.GyroZ = BigEndianInt16(raw, offset + 12);
        }

        /// <summary>High byte first, two's complement.</summary>
        public static int BigEndianInt16(byte[] b, int i)
        {
            return (short)((b[i] << 8) | b[i + 1]);
        }

        private static string Hex2(int v)
        {
            const string digits = "0123456789ABCDEF";
            return string.Concat(digits[(v >> 4) & 15].ToString(), digits[v & 15].ToString());
        }
    }
}
