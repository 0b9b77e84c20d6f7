using System;
using System.Collections.Generic;
using Edge.Pi.Cli;
using Edge.Pi.Devices;
using Edge.Pi.Linux;

namespace Edge.Tests.Pi
{
    /// <summary>
    /// A camera that delivers synthetic frames: either pseudo-random bytes from a seeded xorshift generator (every
    /// value 0…255 occurs; a new frame each call), or given frames cycled. Row padding (stride beyond the pixels)
    /// is filled with 0xA5 so that code reading padding is caught. Allocates nothing per frame.
    /// </summary>
    public sealed class SimulatedFrameSource : FrameSource
    {
        private readonly byte[] _buffer;
        private readonly byte[][] _frames;
        private uint _state;

        public SimulatedFrameSource(int width, int height, PixelFormat format, uint seed = 1, int stride = 0)
        {
            Width = width; Height = height; Format = format;
            int rowBytes = width * (format == PixelFormat.Yuyv ? 2 : 1);
            Stride = stride == 0 ? rowBytes : stride;
            if (Stride < rowBytes) throw new ArgumentException("stride too small");
            _buffer = new byte[Stride * height];
            _state = seed == 0 ? 0x9E3779B9u : seed;
        }

        /// <summary>Cycles through <paramref name="frames"/> (each Stride·Height bytes).</summary>
        public SimulatedFrameSource(int width, int height, PixelFormat format, int stride, params byte[][] frames)
            : this(width, height, format, 1, stride)
        {
            foreach (var f in frames) if (f.Length != Stride * height) throw new ArgumentException($"frame of {f.Length} bytes, expected {Stride * height}");
            _frames = frames;
        }

        public override int Width { get; }
        public override int Height { get; }
        public override PixelFormat Format { get; }
        public override int Stride { get; }
        public int Captures { get; private set; }
        public bool Disposed { get; private set; }
        /// <summary>The arguments the device factory was asked for (when opened through <see cref="SimulatedDeviceFactory"/>).</summary>
        public string OpenedAs { get; set; }

        /// <summary>The first frame a seeded random source with these parameters delivers (stride padding included).</summary>
        public static byte[] RandomFrame(int width, int height, PixelFormat format, uint seed, int stride = 0)
        {
            var s = new SimulatedFrameSource(width, height, format, seed, stride);
            return s.Capture().ToArray();
        }

        public override ReadOnlySpan<byte> Capture()
        {
            if (Disposed) throw new ObjectDisposedException(nameof(SimulatedFrameSource));
            int n = Captures++;
            if (_frames != null) return _frames[n % _frames.Length];
            int rowBytes = Width * (Format == PixelFormat.Yuyv ? 2 : 1);
            for (int y = 0; y < Height; y++)
            {
                int row = y * Stride;
                for (int x = 0; x < rowBytes; x++)
                {
                    uint s = _state;
                    s ^= s << 13; s ^= s >> 17; s ^= s << 5;
                    _state = s;
                    _buffer[row + x] = (byte)(s >> 24);
                }
                for (int x = rowBytes; x < Stride; x++) _buffer[row + x] = 0xA5;
            }
            return _buffer;
        }

        public override void Dispose() => Disposed = true;
    }

    /// <summary>A GPIO output that records every write.</summary>
    public sealed class SimulatedGpioOutput : GpioOutput
    {
        public List<bool> Writes { get; } = new(1024);
        public bool Value { get; private set; }
        public bool Disposed { get; private set; }
        public string Spec { get; set; }

        public override void Write(bool high)
        {
            if (Disposed) throw new ObjectDisposedException(nameof(SimulatedGpioOutput));
            Writes.Add(high);
            Value = high;
        }

        public override void Dispose() => Disposed = true;
    }

    /// <summary>One bus transaction seen by a <see cref="SimulatedI2cDevice"/>.</summary>
    public sealed class I2cTransaction
    {
        public enum Kinds { Write, Read, WriteRead }
        public Kinds Kind;
        /// <summary>The bytes the master wrote (register address first), empty for a plain read.</summary>
        public byte[] Written = Array.Empty<byte>();
        /// <summary>The bytes the device returned, empty for a plain write.</summary>
        public byte[] ReadBack = Array.Empty<byte>();
        /// <summary>The register pointer before the transaction.</summary>
        public int StartRegister;
        public override string ToString() => $"{Kind} [{Convert.ToHexString(Written)}] -> [{Convert.ToHexString(ReadBack)}] @0x{StartRegister:X2}";
    }

    /// <summary>
    /// A simulated I2C peripheral with the usual register-file protocol: an 8-bit register pointer, a
    /// byte-addressed file of 256 registers, the first written byte sets the pointer and further written bytes
    /// are stored at pointer, pointer+1, … ; reads return pointer, pointer+1, … (auto-increment, wrapping at 256).
    /// WriteRead is a write of the pointer then a read (repeated start). Every transaction goes to
    /// <see cref="Log"/>. Derived simulations (MPU6050, INA219, …) override <see cref="ReadRegister"/> /
    /// <see cref="WriteRegister"/> for computed or read-only registers and may set <see cref="AutoIncrement"/>
    /// false. <see cref="FailNext"/> makes the next transaction fail like a NACK.
    /// </summary>
    public class SimulatedI2cDevice : I2cDevice
    {
        public SimulatedI2cDevice(int address, int busId = 1)
        {
            Address = address;
            BusId = busId;
        }

        public override int BusId { get; }
        public override int Address { get; }

        /// <summary>The register file (index = register address).</summary>
        public byte[] Registers { get; } = new byte[256];
        /// <summary>The current register pointer.</summary>
        public int Pointer { get; set; }
        public bool AutoIncrement { get; set; } = true;
        public List<I2cTransaction> Log { get; } = new();
        public bool Disposed { get; private set; }
        /// <summary>When set, the next transaction throws a DeviceException with this message (then it is cleared).</summary>
        public string FailNext { get; set; }

        /// <summary>The value a read of <paramref name="register"/> returns (default: the register file).</summary>
        protected virtual byte ReadRegister(int register) => Registers[register];

        /// <summary>Stores a written byte (default: into the register file).</summary>
        protected virtual void WriteRegister(int register, byte value) => Registers[register] = value;

        /// <summary>Sets a big-endian 16-bit register pair (MSB at <paramref name="register"/>).</summary>
        public void SetWordBE(int register, ushort value)
        {
            Registers[register & 0xFF] = (byte)(value >> 8);
            Registers[(register + 1) & 0xFF] = (byte)value;
        }

        public override void Write(ReadOnlySpan<byte> data)
        {
            Check();
            var t = new I2cTransaction { Kind = I2cTransaction.Kinds.Write, Written = data.ToArray(), StartRegister = Pointer };
            DoWrite(data);
            Log.Add(t);
        }

        public override void Read(Span<byte> data)
        {
            Check();
            var t = new I2cTransaction { Kind = I2cTransaction.Kinds.Read, StartRegister = Pointer };
            DoRead(data);
            t.ReadBack = data.ToArray();
            Log.Add(t);
        }

        public override void WriteRead(ReadOnlySpan<byte> write, Span<byte> read)
        {
            Check();
            var t = new I2cTransaction { Kind = I2cTransaction.Kinds.WriteRead, Written = write.ToArray(), StartRegister = Pointer };
            DoWrite(write);
            DoRead(read);
            t.ReadBack = read.ToArray();
            Log.Add(t);
        }

        private void DoWrite(ReadOnlySpan<byte> data)
        {
            if (data.Length == 0) return;
            Pointer = data[0];
            for (int i = 1; i < data.Length; i++)
            {
                WriteRegister(Pointer, data[i]);
                if (AutoIncrement) Pointer = (Pointer + 1) & 0xFF;
            }
        }

        private void DoRead(Span<byte> data)
        {
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = ReadRegister(Pointer);
                if (AutoIncrement) Pointer = (Pointer + 1) & 0xFF;
            }
        }

        private void Check()
        {
            if (Disposed) throw new ObjectDisposedException(nameof(SimulatedI2cDevice));
            if (FailNext != null)
            {
                string m = FailNext;
                FailNext = null;
                throw new DeviceException(m);
            }
        }

        public override void Dispose() => Disposed = true;
    }

    /// <summary>
    /// A device factory for verb tests: hands out given simulated devices and records what was asked for. Use with
    /// <c>using (DeviceFactory.Override(factory)) Program.Run(…)</c>.
    /// </summary>
    public sealed class SimulatedDeviceFactory : DeviceFactory
    {
        public Func<string, int, int, PixelFormat, FrameSource> Camera;
        public Func<string, GpioOutput> Gpio;
        public Func<int, int, I2cDevice> I2c;
        public Func<string, SampleSource> Audio;
        public List<string> Opened { get; } = new();

        public override SampleSource OpenAudio(string spec)
        {
            Opened.Add($"audio {spec}");
            return (Audio ?? throw new DeviceException($"no simulated audio for {spec}")).Invoke(spec);
        }

        public override FrameSource OpenCamera(string devicePath, int width, int height, PixelFormat format)
        {
            Opened.Add($"camera {devicePath} {width}x{height} {format}");
            return (Camera ?? throw new DeviceException($"cannot open {devicePath}: no simulated camera")).Invoke(devicePath, width, height, format);
        }

        public override GpioOutput OpenGpioOutput(string spec)
        {
            Opened.Add($"gpio {spec}");
            LinuxGpioOutput.ParseSpec(spec); // the same validation as the Linux device
            return (Gpio ?? throw new DeviceException($"no simulated GPIO for {spec}")).Invoke(spec);
        }

        public override I2cDevice OpenI2c(int busId, int address)
        {
            Opened.Add($"i2c {busId} 0x{address:X2}");
            return (I2c ?? throw new DeviceException($"no simulated I2C device at {busId}:0x{address:X2}")).Invoke(busId, address);
        }
    }

    /// <summary>A microphone that delivers given samples in reads of varying sizes (as a pipe would), then ends.</summary>
    public sealed class SimulatedSampleSource : SampleSource
    {
        private readonly short[] _samples;
        private readonly int[] _chunks;
        private int _at, _read;
        public bool Disposed { get; private set; }
        public override int SampleRate { get; }

        public SimulatedSampleSource(short[] samples, int sampleRate = 16000, params int[] chunkSizes)
        {
            _samples = samples; SampleRate = sampleRate; _chunks = chunkSizes.Length == 0 ? new[] { 320 } : chunkSizes;
        }

        public override int Read(Span<short> samples)
        {
            int n = Math.Min(Math.Min(samples.Length, _chunks[_read++ % _chunks.Length]), _samples.Length - _at);
            _samples.AsSpan(_at, n).CopyTo(samples);
            _at += n;
            return n;
        }

        public override void Dispose() => Disposed = true;
    }
}
