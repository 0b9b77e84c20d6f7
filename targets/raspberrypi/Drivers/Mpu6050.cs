using System;
using Edge.Pi.Cli;
using Edge.Pi.Devices;

namespace Edge.Pi.Drivers
{
    /// <summary>Accelerometer full-scale range (ACCEL_CONFIG AFS_SEL, bits 4:3).</summary>
    public enum AccelRange { G2 = 0, G4 = 1, G8 = 2, G16 = 3 }

    /// <summary>Gyroscope full-scale range (GYRO_CONFIG FS_SEL, bits 4:3).</summary>
    public enum GyroRange { Dps250 = 0, Dps500 = 1, Dps1000 = 2, Dps2000 = 3 }

    /// <summary>One IMU sample in physical units: acceleration in g, angular rate in °/s, temperature in °C.</summary>
    public struct ImuSample
    {
        public double Ax, Ay, Az;
        public double Gx, Gy, Gz;
        public double TemperatureC;
    }

    /// <summary>
    /// InvenSense MPU-6050 6-axis IMU over I2C, written from
    /// <list type="bullet">
    /// <item>InvenSense "MPU-6000 and MPU-6050 Product Specification", PS-MPU-6000A-00 rev 3.4 (sensitivities:
    /// §6.1 gyro 131 / 65.5 / 32.8 / 16.4 LSB/(°/s), §6.2 accel 16384 / 8192 / 4096 / 2048 LSB/g; I2C address
    /// 0x68 with AD0 low, 0x69 with AD0 high);</item>
    /// <item>InvenSense "MPU-6000 and MPU-6050 Register Map and Descriptions", RM-MPU-6000A-00 rev 4.2:
    /// SMPLRT_DIV 0x19 (§4.2: Sample Rate = Gyroscope Output Rate / (1 + SMPLRT_DIV), the gyroscope output
    /// rate being 8 kHz with the DLPF disabled, DLPF_CFG = 0 or 7, and 1 kHz with it enabled), CONFIG 0x1A
    /// (§4.3, DLPF_CFG bits 2:0), GYRO_CONFIG 0x1B (§4.4, FS_SEL bits 4:3), ACCEL_CONFIG 0x1C (§4.5, AFS_SEL
    /// bits 4:3), ACCEL_XOUT_H 0x3B .. GYRO_ZOUT_L 0x48 (§4.17–4.19: big-endian two's-complement int16;
    /// temperature °C = TEMP_OUT / 340 + 36.53), PWR_MGMT_1 0x6B (§4.28: reset value 0x40 = SLEEP; CLKSEL
    /// bits 2:0, 1 = PLL with the X gyro as reference, the clock the product specification recommends),
    /// WHO_AM_I 0x75 (§4.32: reads 0x68 regardless of AD0).</item>
    /// </list>
    /// The register addresses and formulas were checked against the text of the register map rev 4.2 (§4.2,
    /// §4.18 and the register table) as reproduced on public manual mirrors.
    /// <para>
    /// One sample is one 14-byte burst read from ACCEL_XOUT_H (the device latches all sensor registers for a
    /// burst, so the seven values belong to one sampling instant). <see cref="Read(ref ImuSample)"/> and
    /// <see cref="ReadRaw"/> reuse buffers owned by the driver and allocate nothing.
    /// </para>
    /// </summary>
    public sealed class Mpu6050 : IDisposable
    {
        public const int DefaultAddress = 0x68;
        public const byte WhoAmIValue = 0x68;

        public const byte RegSmplrtDiv = 0x19, RegConfig = 0x1A, RegGyroConfig = 0x1B, RegAccelConfig = 0x1C;
        public const byte RegIntStatus = 0x3A, RegAccelXoutH = 0x3B, RegPwrMgmt1 = 0x6B, RegWhoAmI = 0x75;
        /// <summary>PWR_MGMT_1 bit 6.</summary>
        public const byte PwrSleep = 0x40;
        /// <summary>PWR_MGMT_1 CLKSEL = 1: PLL with X axis gyroscope reference.</summary>
        public const byte ClkSelPllX = 0x01;

        private readonly I2cDevice _dev;
        private readonly bool _ownsDevice;
        private readonly byte[] _reg = new byte[1];
        private readonly byte[] _pair = new byte[2];
        private readonly byte[] _one = new byte[1];
        private readonly byte[] _burst = new byte[14];

        private AccelRange _accelRange;
        private GyroRange _gyroRange;
        private double _accelLsbPerG = 16384.0, _gyroLsbPerDps = 131.0;

        /// <summary>Checks WHO_AM_I (throws <see cref="DeviceException"/> if it is not 0x68). Does not change any setting.</summary>
        public Mpu6050(I2cDevice device, bool ownsDevice = false)
        {
            _dev = device ?? throw new ArgumentNullException(nameof(device));
            _ownsDevice = ownsDevice;
            byte who = ReadRegister(RegWhoAmI);
            if (who != WhoAmIValue)
                throw new DeviceException($"MPU6050 at bus {device.BusId} address 0x{device.Address:x2}: WHO_AM_I (0x75) reads 0x{who:x2}, expected 0x68");
        }

        public I2cDevice Device => _dev;
        public AccelRange AccelRange => _accelRange;
        public GyroRange GyroRange => _gyroRange;
        /// <summary>LSB per g of the configured accelerometer range.</summary>
        public double AccelLsbPerG => _accelLsbPerG;
        /// <summary>LSB per °/s of the configured gyroscope range.</summary>
        public double GyroLsbPerDps => _gyroLsbPerDps;

        /// <summary>The sample rate the configured SMPLRT_DIV and DLPF give (Hz).</summary>
        public double SampleRateHz { get; private set; } = 8000.0;

        /// <summary>
        /// Wakes the device and configures it: PWR_MGMT_1 = CLKSEL 1 (PLL, X gyro; clears SLEEP), CONFIG
        /// DLPF_CFG, the sample-rate divider that comes closest to <paramref name="sampleRateHz"/>, and the
        /// full-scale ranges. Returns the sample rate actually set.
        /// </summary>
        public double Configure(double sampleRateHz = 100, int dlpf = 3, AccelRange accel = AccelRange.G2, GyroRange gyro = GyroRange.Dps250)
        {
            Wake();
            SetDlpf(dlpf);
            SetSampleRate(sampleRateHz);
            SetAccelRange(accel);
            SetGyroRange(gyro);
            return SampleRateHz;
        }

        /// <summary>Clears SLEEP and selects the PLL clock (PWR_MGMT_1 = 0x01), then checks that SLEEP reads back clear.</summary>
        public void Wake()
        {
            WriteRegister(RegPwrMgmt1, ClkSelPllX);
            byte v = ReadRegister(RegPwrMgmt1);
            if ((v & PwrSleep) != 0)
                throw new DeviceException($"MPU6050 at bus {_dev.BusId} address 0x{_dev.Address:x2}: still asleep after writing PWR_MGMT_1 (reads 0x{v:x2})");
        }

        /// <summary>Sets SLEEP (PWR_MGMT_1 bit 6).</summary>
        public void Sleep() => WriteRegister(RegPwrMgmt1, (byte)(PwrSleep | ClkSelPllX));

        /// <summary>CONFIG DLPF_CFG (0..7). 0 and 7 disable the low-pass filter (gyro output rate 8 kHz).</summary>
        public void SetDlpf(int dlpfCfg)
        {
            if (dlpfCfg < 0 || dlpfCfg > 7) throw new ArgumentOutOfRangeException(nameof(dlpfCfg), "DLPF_CFG is 0..7");
            byte cur = ReadRegister(RegConfig);
            WriteRegister(RegConfig, (byte)((cur & ~0x07) | dlpfCfg));
            SampleRateHz = GyroOutputRateHz(dlpfCfg) / (1 + ReadRegister(RegSmplrtDiv));
        }

        /// <summary>Gyroscope output rate for a DLPF_CFG value: 8 kHz when the DLPF is off (0 or 7), else 1 kHz.</summary>
        public static double GyroOutputRateHz(int dlpfCfg) => dlpfCfg == 0 || dlpfCfg == 7 ? 8000.0 : 1000.0;

        /// <summary>The SMPLRT_DIV (0..255) whose rate, gyroOutputRate / (1 + div), is closest to <paramref name="hz"/>.</summary>
        public static int DividerFor(double gyroOutputRateHz, double hz)
        {
            if (!(hz > 0)) throw new ArgumentOutOfRangeException(nameof(hz), "sample rate must be positive");
            double d = Math.Round(gyroOutputRateHz / hz) - 1;
            return (int)Math.Clamp(d, 0, 255);
        }

        /// <summary>Writes SMPLRT_DIV for the rate closest to <paramref name="hz"/> under the current DLPF; returns the rate set.</summary>
        public double SetSampleRate(double hz)
        {
            double gyroRate = GyroOutputRateHz(ReadRegister(RegConfig) & 0x07);
            int div = DividerFor(gyroRate, hz);
            WriteRegister(RegSmplrtDiv, (byte)div);
            SampleRateHz = gyroRate / (1 + div);
            return SampleRateHz;
        }

        public void SetAccelRange(AccelRange r)
        {
            byte cur = ReadRegister(RegAccelConfig);
            WriteRegister(RegAccelConfig, (byte)((cur & ~0x18) | ((int)r << 3)));
            _accelRange = r;
            _accelLsbPerG = AccelSensitivity(r);
        }

        public void SetGyroRange(GyroRange r)
        {
            byte cur = ReadRegister(RegGyroConfig);
            WriteRegister(RegGyroConfig, (byte)((cur & ~0x18) | ((int)r << 3)));
            _gyroRange = r;
            _gyroLsbPerDps = GyroSensitivity(r);
        }

        /// <summary>LSB/g: 16384, 8192, 4096, 2048 for ±2, ±4, ±8, ±16 g.</summary>
        public static double AccelSensitivity(AccelRange r) => 16384.0 / (1 << (int)r);

        /// <summary>LSB/(°/s): 131, 65.5, 32.8, 16.4 for ±250, ±500, ±1000, ±2000 °/s (the datasheet's rounded values).</summary>
        public static double GyroSensitivity(GyroRange r) => r switch
        {
            GyroRange.Dps250 => 131.0,
            GyroRange.Dps500 => 65.5,
            GyroRange.Dps1000 => 32.8,
            _ => 16.4,
        };

        /// <summary>Temperature in °C from TEMP_OUT: raw / 340 + 36.53.</summary>
        public static double TemperatureFromRaw(short raw) => raw / 340.0 + 36.53;

        /// <summary>
        /// One 14-byte burst from ACCEL_XOUT_H into <paramref name="raw"/> (7 values: ax, ay, az, temp, gx, gy, gz,
        /// each big-endian int16). Allocates nothing.
        /// </summary>
        public void ReadRaw(Span<short> raw)
        {
            if (raw.Length < 7) throw new ArgumentException("need 7 values", nameof(raw));
            _reg[0] = RegAccelXoutH;
            _dev.WriteRead(_reg, _burst);
            for (int i = 0; i < 7; i++) raw[i] = (short)((_burst[2 * i] << 8) | _burst[2 * i + 1]);
        }

        /// <summary>One sample in g, °/s and °C (one burst read). Allocates nothing.</summary>
        public void Read(ref ImuSample s)
        {
            Span<short> r = stackalloc short[7];
            ReadRaw(r);
            s.Ax = r[0] / _accelLsbPerG; s.Ay = r[1] / _accelLsbPerG; s.Az = r[2] / _accelLsbPerG;
            s.TemperatureC = TemperatureFromRaw(r[3]);
            s.Gx = r[4] / _gyroLsbPerDps; s.Gy = r[5] / _gyroLsbPerDps; s.Gz = r[6] / _gyroLsbPerDps;
        }

        /// <summary>INT_STATUS (0x3A) bit 0, DATA_RDY_INT (cleared by reading INT_STATUS).</summary>
        public bool DataReady() => (ReadRegister(RegIntStatus) & 0x01) != 0;

        public byte ReadRegister(byte reg)
        {
            _reg[0] = reg;
            _dev.WriteRead(_reg, _one);
            return _one[0];
        }

        public void WriteRegister(byte reg, byte value)
        {
            _pair[0] = reg; _pair[1] = value;
            _dev.Write(_pair);
        }

        public void Dispose()
        {
            if (_ownsDevice) _dev.Dispose();
        }
    }
}
