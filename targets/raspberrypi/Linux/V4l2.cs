using System;
using System.Runtime.InteropServices;

namespace Edge.Pi.Linux
{
    /// <summary>struct v4l2_capability (linux/videodev2.h), 104 bytes.</summary>
    [CType("struct v4l2_capability")]
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct v4l2_capability
    {
        public fixed byte driver[16];
        public fixed byte card[32];
        public fixed byte bus_info[32];
        public uint version;
        public uint capabilities;
        public uint device_caps;
        public fixed uint reserved[3];
    }

    /// <summary>struct v4l2_pix_format, 48 bytes (ycbcr_enc shares its word with hsv_enc).</summary>
    [CType("struct v4l2_pix_format")]
    [StructLayout(LayoutKind.Sequential)]
    public struct v4l2_pix_format
    {
        public uint width;
        public uint height;
        public uint pixelformat;
        public uint field;
        public uint bytesperline;
        public uint sizeimage;
        public uint colorspace;
        public uint priv;
        public uint flags;
        public uint ycbcr_enc;
        public uint quantization;
        public uint xfer_func;
    }

    /// <summary>
    /// struct v4l2_format: type, then the fmt union (pix, …, raw_data[200]). The union holds pointers (struct
    /// v4l2_window), so on 64-bit it is 8-aligned: fmt at offset 8, 208 bytes in all.
    /// </summary>
    [CType("struct v4l2_format")]
    [StructLayout(LayoutKind.Explicit, Size = 208)]
    public unsafe struct v4l2_format
    {
        [FieldOffset(0)] public uint type;
        [FieldOffset(8), CField("fmt.pix")] public v4l2_pix_format fmt_pix;
        [FieldOffset(8), CField("fmt.raw_data")] public fixed byte fmt_raw_data[200];
    }

    /// <summary>struct v4l2_requestbuffers, 20 bytes.</summary>
    [CType("struct v4l2_requestbuffers")]
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct v4l2_requestbuffers
    {
        public uint count;
        public uint type;
        public uint memory;
        public uint capabilities;
        public byte flags;
        public fixed byte reserved[3];
    }

    /// <summary>struct timeval on LP64: two longs.</summary>
    [CType("struct timeval")]
    [StructLayout(LayoutKind.Sequential)]
    public struct TimeVal
    {
        public long tv_sec;
        public long tv_usec;
    }

    [CType("struct v4l2_timecode")]
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct v4l2_timecode
    {
        public uint type;
        public uint flags;
        public byte frames;
        public byte seconds;
        public byte minutes;
        public byte hours;
        public fixed byte userbits[4];
    }

    /// <summary>
    /// struct v4l2_buffer, 88 bytes on 64-bit: the timeval is 8-aligned (4 bytes of padding after field), the m
    /// union (offset / userptr / planes / fd) is 8 bytes at 64, and request_fd shares a word with reserved.
    /// </summary>
    [CType("struct v4l2_buffer")]
    [StructLayout(LayoutKind.Explicit, Size = 88)]
    public unsafe struct v4l2_buffer
    {
        [FieldOffset(0)] public uint index;
        [FieldOffset(4)] public uint type;
        [FieldOffset(8)] public uint bytesused;
        [FieldOffset(12)] public uint flags;
        [FieldOffset(16)] public uint field;
        [FieldOffset(24)] public TimeVal timestamp;
        [FieldOffset(40)] public v4l2_timecode timecode;
        [FieldOffset(56)] public uint sequence;
        [FieldOffset(60)] public uint memory;
        [FieldOffset(64), CField("m.offset")] public uint m_offset;
        [FieldOffset(64), CField("m.userptr")] public ulong m_userptr;
        [FieldOffset(64), CField("m.planes")] public void* m_planes;
        [FieldOffset(64), CField("m.fd")] public int m_fd;
        [FieldOffset(72)] public uint length;
        [FieldOffset(76)] public uint reserved2;
        [FieldOffset(80)] public int request_fd;
        [FieldOffset(80)] public uint reserved;
    }

    /// <summary>linux/videodev2.h constants and ioctl numbers (computed with the _IOC macros from the struct sizes).</summary>
    [CConstants("linux/videodev2.h")]
    public static class V4l2Const
    {
        public const uint V4L2_BUF_TYPE_VIDEO_CAPTURE = 1;
        public const uint V4L2_MEMORY_MMAP = 1;
        public const uint V4L2_FIELD_ANY = 0, V4L2_FIELD_NONE = 1;
        public const uint V4L2_CAP_VIDEO_CAPTURE = 0x00000001, V4L2_CAP_STREAMING = 0x04000000, V4L2_CAP_DEVICE_CAPS = 0x80000000;
        public const uint V4L2_BUF_FLAG_ERROR = 0x00000040;
        public const uint V4L2_PIX_FMT_YUYV = (uint)'Y' | ((uint)'U' << 8) | ((uint)'Y' << 16) | ((uint)'V' << 24);
        public const uint V4L2_PIX_FMT_GREY = (uint)'G' | ((uint)'R' << 8) | ((uint)'E' << 16) | ((uint)'Y' << 24);

        public static readonly uint VIDIOC_QUERYCAP = Ioc.IOR<v4l2_capability>('V', 0);
        public static readonly uint VIDIOC_G_FMT = Ioc.IOWR<v4l2_format>('V', 4);
        public static readonly uint VIDIOC_S_FMT = Ioc.IOWR<v4l2_format>('V', 5);
        public static readonly uint VIDIOC_REQBUFS = Ioc.IOWR<v4l2_requestbuffers>('V', 8);
        public static readonly uint VIDIOC_QUERYBUF = Ioc.IOWR<v4l2_buffer>('V', 9);
        public static readonly uint VIDIOC_QBUF = Ioc.IOWR<v4l2_buffer>('V', 15);
        public static readonly uint VIDIOC_DQBUF = Ioc.IOWR<v4l2_buffer>('V', 17);
        public static readonly uint VIDIOC_STREAMON = Ioc.IOW<int>('V', 18);
        public static readonly uint VIDIOC_STREAMOFF = Ioc.IOW<int>('V', 19);

        /// <summary>"YUYV" for a fourcc.</summary>
        public static string FourCc(uint f) =>
            new string(new[] { (char)(f & 0xFF), (char)((f >> 8) & 0xFF), (char)((f >> 16) & 0xFF), (char)(f >> 24) });
    }
}
