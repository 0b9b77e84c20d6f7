using System;
using System.Runtime.InteropServices;
using Edge.Pi.Devices;

namespace Edge.Pi.Linux
{
    /// <summary>struct i2c_msg (linux/i2c.h), 16 bytes on 64-bit.</summary>
    [CType("struct i2c_msg")]
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct i2c_msg
    {
        public ushort addr;
        public ushort flags;
        public ushort len;
        public byte* buf;
    }

    /// <summary>struct i2c_rdwr_ioctl_data (linux/i2c-dev.h), 16 bytes on 64-bit.</summary>
    [CType("struct i2c_rdwr_ioctl_data")]
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct i2c_rdwr_ioctl_data
    {
        public i2c_msg* msgs;
        public uint nmsgs;
    }

    /// <summary>linux/i2c.h and linux/i2c-dev.h constants (I2C_SLAVE and I2C_RDWR are plain numbers there, not _IOC).</summary>
    [CConstants("linux/i2c.h", "linux/i2c-dev.h")]
    public static class I2cConst
    {
        public const uint I2C_SLAVE = 0x0703, I2C_RDWR = 0x0707;
        public const ushort I2C_M_RD = 0x0001;
        public const int I2C_RDWR_IOCTL_MAX_MSGS = 42;
    }

    /// <summary>
    /// An I2C device on /dev/i2c-N. Plain <see cref="Write"/>/<see cref="Read"/> use write(2)/read(2) after
    /// ioctl(I2C_SLAVE, address); <see cref="WriteRead"/> is one I2C_RDWR transaction of two messages (write, then
    /// read after a repeated start), which register reads of most sensors need.
    /// </summary>
    public sealed unsafe class LinuxI2cDevice : I2cDevice
    {
        private int _fd = -1;
        private readonly string _path;

        public LinuxI2cDevice(int busId, int address) : this(busId, address, "/dev/i2c-" + busId) { }

        /// <param name="devicePath">The node to open (normally /dev/i2c-<paramref name="busId"/>).</param>
        public LinuxI2cDevice(int busId, int address, string devicePath)
        {
            if (address < 0 || address > 0x7F) throw new ArgumentOutOfRangeException(nameof(address), "7-bit I2C address expected");
            BusId = busId;
            Address = address;
            _path = devicePath;
            _fd = Libc.OpenDevice(devicePath, LibcConst.O_RDWR | LibcConst.O_CLOEXEC);
            int r = Libc.Ioctl(_fd, I2cConst.I2C_SLAVE, (void*)(nint)address);
            if (r < 0)
            {
                Libc.close(_fd);
                _fd = -1;
                throw Libc.Error($"{devicePath}: ioctl I2C_SLAVE 0x{address:X2}", -r);
            }
        }

        public override int BusId { get; }
        public override int Address { get; }

        public override void WriteRead(ReadOnlySpan<byte> write, Span<byte> read)
        {
            int fd = Fd();
            if (write.Length > ushort.MaxValue || read.Length > ushort.MaxValue) throw new ArgumentException("an I2C message holds at most 65535 bytes");
            if (write.Length == 0) { Read(read); return; }
            if (read.Length == 0) { Write(write); return; }
            fixed (byte* w = write)
            fixed (byte* rd = read)
            {
                i2c_msg* msgs = stackalloc i2c_msg[2];
                msgs[0] = new i2c_msg { addr = (ushort)Address, flags = 0, len = (ushort)write.Length, buf = w };
                msgs[1] = new i2c_msg { addr = (ushort)Address, flags = I2cConst.I2C_M_RD, len = (ushort)read.Length, buf = rd };
                var data = new i2c_rdwr_ioctl_data { msgs = msgs, nmsgs = 2 };
                int r = Libc.Ioctl(fd, I2cConst.I2C_RDWR, &data);
                if (r < 0) throw Libc.Error($"{_path}: I2C_RDWR to 0x{Address:X2} ({write.Length} byte(s) out, {read.Length} in)", -r);
            }
        }

        public override void Write(ReadOnlySpan<byte> data)
        {
            int fd = Fd();
            fixed (byte* p = data)
            {
                nint n;
                do n = Libc.write(fd, p, (nuint)data.Length); while (n < 0 && Libc.Errno == LibcConst.EINTR);
                if (n < 0) throw Libc.Error($"{_path}: write to 0x{Address:X2}", Libc.Errno);
                if (n != data.Length) throw new Cli.DeviceException($"{_path}: short write to 0x{Address:X2} ({n} of {data.Length} bytes)");
            }
        }

        public override void Read(Span<byte> data)
        {
            int fd = Fd();
            fixed (byte* p = data)
            {
                nint n;
                do n = Libc.read(fd, p, (nuint)data.Length); while (n < 0 && Libc.Errno == LibcConst.EINTR);
                if (n < 0) throw Libc.Error($"{_path}: read from 0x{Address:X2}", Libc.Errno);
                if (n != data.Length) throw new Cli.DeviceException($"{_path}: short read from 0x{Address:X2} ({n} of {data.Length} bytes)");
            }
        }

        private int Fd() => _fd >= 0 ? _fd : throw new ObjectDisposedException(nameof(LinuxI2cDevice));

        public override void Dispose()
        {
            if (_fd >= 0) { Libc.close(_fd); _fd = -1; }
        }
    }
}
