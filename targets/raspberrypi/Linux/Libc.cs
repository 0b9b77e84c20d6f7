using System;
using System.Runtime.InteropServices;
using Edge.Pi.Cli;

namespace Edge.Pi.Linux
{
    /// <summary>Names the C type a C# struct mirrors (e.g. "struct v4l2_buffer"); LinuxAbiTests checks size and offsets against the kernel headers.</summary>
    [AttributeUsage(AttributeTargets.Struct)]
    public sealed class CTypeAttribute : Attribute
    {
        public CTypeAttribute(string name) { Name = name; }
        public string Name { get; }
    }

    /// <summary>The C member designator of a field when it differs from the C# field name (e.g. "m.offset" for a union member).</summary>
    [AttributeUsage(AttributeTargets.Field)]
    public sealed class CFieldAttribute : Attribute
    {
        public CFieldAttribute(string designator) { Designator = designator; }
        public string Designator { get; }
    }

    /// <summary>A class whose public static integer fields are named exactly as C macros; LinuxAbiTests compares each with the headers.</summary>
    [AttributeUsage(AttributeTargets.Class)]
    public sealed class CConstantsAttribute : Attribute
    {
        public CConstantsAttribute(params string[] headers) { Headers = headers; }
        public string[] Headers { get; }
    }

    /// <summary>
    /// The kernel's _IOC encoding (asm-generic/ioctl.h, used by arm64 and x86-64): nr 8 bits, type 8 bits, size 14
    /// bits, direction 2 bits (none 0, write 1, read 2).
    /// </summary>
    public static class Ioc
    {
        public const int NrBits = 8, TypeBits = 8, SizeBits = 14, DirBits = 2;
        public const int NrShift = 0, TypeShift = NrShift + NrBits, SizeShift = TypeShift + TypeBits, DirShift = SizeShift + SizeBits;
        public const uint None = 0, Write = 1, Read = 2;

        public static uint IOC(uint dir, char type, int nr, int size)
        {
            if ((uint)size >= 1u << SizeBits) throw new ArgumentOutOfRangeException(nameof(size));
            return (dir << DirShift) | ((uint)type << TypeShift) | ((uint)nr << NrShift) | ((uint)size << SizeShift);
        }

        public static uint IO(char type, int nr) => IOC(None, type, nr, 0);
        public static uint IOR<T>(char type, int nr) where T : unmanaged => IOC(Read, type, nr, Marshal.SizeOf<T>());
        public static uint IOW<T>(char type, int nr) where T : unmanaged => IOC(Write, type, nr, Marshal.SizeOf<T>());
        public static uint IOWR<T>(char type, int nr) where T : unmanaged => IOC(Read | Write, type, nr, Marshal.SizeOf<T>());
    }

    /// <summary>struct PollFd (poll.h).</summary>
    [CType("struct pollfd")]
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int fd;
        public short events;
        public short revents;
    }

    /// <summary>libc constants (Linux, arm64 and x86-64 share these values).</summary>
    [CConstants("fcntl.h", "poll.h", "sys/mman.h", "errno.h")]
    public static class LibcConst
    {
        public const int O_RDONLY = 0, O_RDWR = 2, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
        public const short POLLIN = 1;
        public const int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
        public const int EINTR = 4, EAGAIN = 11, ENOTTY = 25;
    }

    /// <summary>
    /// The few libc calls the Linux devices need. "libc" is resolved by the .NET runtime to the C library
    /// (libc.so.6 on glibc); there is no native library of ours. Variadic ioctl is declared with one pointer
    /// argument, which is how the AArch64 and x86-64 Linux ABIs pass it.
    /// </summary>
    public static unsafe partial class Libc
    {
        private const string Lib = "libc";

        [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int open(string path, int flags);

        [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
        public static partial int close(int fd);

        [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
        public static partial int ioctl(int fd, nuint request, void* arg);

        [LibraryImport(Lib, EntryPoint = "mmap", SetLastError = true)]
        public static partial void* mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

        [LibraryImport(Lib, EntryPoint = "munmap", SetLastError = true)]
        public static partial int munmap(void* addr, nuint length);

        [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
        public static partial nint read(int fd, void* buf, nuint count);

        [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
        public static partial nint write(int fd, void* buf, nuint count);

        [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
        public static partial int poll(PollFd* fds, nuint nfds, int timeout);

        public static readonly void* MAP_FAILED = (void*)(nint)(-1);

        /// <summary>errno of the last libc call on this thread.</summary>
        public static int Errno => Marshal.GetLastPInvokeError();

        /// <summary>A DeviceException "what: strerror(errno) (errno N)".</summary>
        public static DeviceException Error(string what, int errno) =>
            new DeviceException($"{what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");

        /// <summary>Opens a device node; a DeviceException naming the path and errno text on failure.</summary>
        public static int OpenDevice(string path, int flags)
        {
            RequireLinux64();
            int fd = open(path, flags);
            if (fd < 0) throw Error($"cannot open {path}", Errno);
            return fd;
        }

        /// <summary>ioctl retried on EINTR; returns the result or -errno (never throws).</summary>
        public static int Ioctl(int fd, uint request, void* arg)
        {
            while (true)
            {
                int r = ioctl(fd, request, arg);
                if (r >= 0) return r;
                int e = Errno;
                if (e != LibcConst.EINTR) return -e;
            }
        }

        /// <summary>The structs here follow the 64-bit kernel ABI (LP64); 32-bit processes lay several out differently.</summary>
        public static void RequireLinux64()
        {
            if (!OperatingSystem.IsLinux()) throw new DeviceException("Linux device access needs Linux");
            if (IntPtr.Size != 8) throw new DeviceException("Linux device access needs a 64-bit process (Raspberry Pi OS 64-bit): the ioctl structs follow the LP64 kernel ABI");
        }
    }
}
