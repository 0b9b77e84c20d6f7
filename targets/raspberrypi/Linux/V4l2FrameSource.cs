using System;
using System.Text;
using Edge.Pi.Cli;
using Edge.Pi.Devices;

namespace Edge.Pi.Linux
{
    /// <summary>
    /// A V4L2 capture device (/dev/videoN) streaming into kernel buffers mapped into this process (memory-mapped
    /// streaming I/O): QUERYCAP, S_FMT (YUYV or GREY at the requested size; the size the driver chose is read
    /// back), REQBUFS (4 MMAP buffers), QUERYBUF + mmap each, QBUF all, STREAMON. <see cref="Capture"/> returns the
    /// previously held buffer to the driver (QBUF), waits with poll and dequeues the next filled one (DQBUF),
    /// returning a span over its mapped bytes: no copy and no allocation per frame.
    /// </summary>
    public sealed unsafe class V4l2FrameSource : FrameSource
    {
        private int _fd = -1;
        private readonly string _path;
        private byte*[] _maps = new byte*[0];
        private uint[] _lengths = Array.Empty<uint>();
        private int _held = -1;
        private bool _streaming;
        private readonly int _minFrameBytes;

        /// <summary>How long <see cref="Capture"/> waits for a frame before it fails.</summary>
        public int TimeoutMs { get; set; } = 5000;

        /// <summary>The driver's name and card (from VIDIOC_QUERYCAP).</summary>
        public string Driver { get; }
        public string Card { get; }
        public int BufferCount => _maps.Length;

        public override int Width { get; }
        public override int Height { get; }
        public override PixelFormat Format { get; }
        public override int Stride { get; }

        public V4l2FrameSource(string devicePath, int width, int height, PixelFormat format, int buffers = 4)
        {
            if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "frame size must be positive");
            if (buffers < 1 || buffers > 32) throw new ArgumentOutOfRangeException(nameof(buffers));
            _path = devicePath;
            _fd = Libc.OpenDevice(devicePath, LibcConst.O_RDWR | LibcConst.O_NONBLOCK | LibcConst.O_CLOEXEC);
            try
            {
                v4l2_capability cap = default;
                Check(Libc.Ioctl(_fd, V4l2Const.VIDIOC_QUERYCAP, &cap), "VIDIOC_QUERYCAP (is it a V4L2 device?)");
                Driver = CString(cap.driver, 16);
                Card = CString(cap.card, 32);
                uint caps = (cap.capabilities & V4l2Const.V4L2_CAP_DEVICE_CAPS) != 0 ? cap.device_caps : cap.capabilities;
                if ((caps & V4l2Const.V4L2_CAP_VIDEO_CAPTURE) == 0)
                    throw new DeviceException($"{devicePath} ({Driver}, {Card}) is not a video capture device (capabilities 0x{caps:X8})");
                if ((caps & V4l2Const.V4L2_CAP_STREAMING) == 0)
                    throw new DeviceException($"{devicePath} ({Driver}, {Card}) does not support streaming I/O");

                uint fourcc = format == PixelFormat.Yuyv ? V4l2Const.V4L2_PIX_FMT_YUYV : V4l2Const.V4L2_PIX_FMT_GREY;
                v4l2_format fmt = default;
                fmt.type = V4l2Const.V4L2_BUF_TYPE_VIDEO_CAPTURE;
                fmt.fmt_pix.width = (uint)width;
                fmt.fmt_pix.height = (uint)height;
                fmt.fmt_pix.pixelformat = fourcc;
                fmt.fmt_pix.field = V4l2Const.V4L2_FIELD_NONE;
                Check(Libc.Ioctl(_fd, V4l2Const.VIDIOC_S_FMT, &fmt), $"VIDIOC_S_FMT {V4l2Const.FourCc(fourcc)} {width}x{height}");
                if (fmt.fmt_pix.pixelformat != fourcc)
                    throw new DeviceException($"{devicePath} ({Card}) does not deliver {V4l2Const.FourCc(fourcc)} (the driver offered {V4l2Const.FourCc(fmt.fmt_pix.pixelformat)}); try --format {(format == PixelFormat.Yuyv ? "grey" : "yuyv")}");
                Format = format;
                Width = (int)fmt.fmt_pix.width;
                Height = (int)fmt.fmt_pix.height;
                int bpp = format == PixelFormat.Yuyv ? 2 : 1;
                Stride = fmt.fmt_pix.bytesperline != 0 ? (int)fmt.fmt_pix.bytesperline : Width * bpp;
                if (Width <= 0 || Height <= 0 || Stride < Width * bpp)
                    throw new DeviceException($"{devicePath}: the driver chose an unusable format {Width}x{Height}, {Stride} bytes per line");
                _minFrameBytes = Stride * (Height - 1) + Width * bpp;

                v4l2_requestbuffers req = default;
                req.count = (uint)buffers;
                req.type = V4l2Const.V4L2_BUF_TYPE_VIDEO_CAPTURE;
                req.memory = V4l2Const.V4L2_MEMORY_MMAP;
                Check(Libc.Ioctl(_fd, V4l2Const.VIDIOC_REQBUFS, &req), "VIDIOC_REQBUFS (memory-mapped buffers)");
                if (req.count < 1) throw new DeviceException($"{devicePath}: the driver granted no capture buffers");
                _maps = new byte*[req.count];
                _lengths = new uint[req.count];
                for (uint i = 0; i < req.count; i++)
                {
                    v4l2_buffer b = default;
                    b.index = i;
                    b.type = V4l2Const.V4L2_BUF_TYPE_VIDEO_CAPTURE;
                    b.memory = V4l2Const.V4L2_MEMORY_MMAP;
                    Check(Libc.Ioctl(_fd, V4l2Const.VIDIOC_QUERYBUF, &b), $"VIDIOC_QUERYBUF {i}");
                    void* p = Libc.mmap(null, b.length, LibcConst.PROT_READ | LibcConst.PROT_WRITE, LibcConst.MAP_SHARED, _fd, b.m_offset);
                    if (p == Libc.MAP_FAILED) throw Libc.Error($"{devicePath}: mmap of buffer {i} ({b.length} bytes)", Libc.Errno);
                    _maps[i] = (byte*)p;
                    _lengths[i] = b.length;
                }
                for (uint i = 0; i < req.count; i++) Queue(i);
                int type = (int)V4l2Const.V4L2_BUF_TYPE_VIDEO_CAPTURE;
                Check(Libc.Ioctl(_fd, V4l2Const.VIDIOC_STREAMON, &type), "VIDIOC_STREAMON");
                _streaming = true;
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public override ReadOnlySpan<byte> Capture()
        {
            if (_fd < 0) throw new ObjectDisposedException(nameof(V4l2FrameSource));
            if (_held >= 0) { Queue((uint)_held); _held = -1; }
            for (int attempt = 0; ; attempt++)
            {
                PollFd pfd = new PollFd { fd = _fd, events = LibcConst.POLLIN };
                int r = Libc.poll(&pfd, 1, TimeoutMs);
                if (r < 0)
                {
                    int e = Libc.Errno;
                    if (e == LibcConst.EINTR) continue;
                    throw Libc.Error($"{_path}: poll", e);
                }
                if (r == 0) throw new DeviceException($"{_path}: no frame within {TimeoutMs} ms");
                v4l2_buffer b = default;
                b.type = V4l2Const.V4L2_BUF_TYPE_VIDEO_CAPTURE;
                b.memory = V4l2Const.V4L2_MEMORY_MMAP;
                int d = Libc.Ioctl(_fd, V4l2Const.VIDIOC_DQBUF, &b);
                if (d == -LibcConst.EAGAIN) continue;
                Check(d, "VIDIOC_DQBUF");
                if (b.index >= (uint)_maps.Length) throw new DeviceException($"{_path}: VIDIOC_DQBUF returned buffer {b.index} of {_maps.Length}");
                int used = b.bytesused != 0 ? (int)b.bytesused : (int)_lengths[b.index];
                if ((b.flags & V4l2Const.V4L2_BUF_FLAG_ERROR) != 0 || used < _minFrameBytes)
                {
                    // A corrupted or short frame: give the buffer back and wait for the next one.
                    Queue(b.index);
                    if (attempt >= 8) throw new DeviceException($"{_path}: {attempt + 1} bad frames in a row ({used} bytes, need {_minFrameBytes})");
                    continue;
                }
                _held = (int)b.index;
                return new ReadOnlySpan<byte>(_maps[b.index], used);
            }
        }

        private void Queue(uint index)
        {
            v4l2_buffer b = default;
            b.index = index;
            b.type = V4l2Const.V4L2_BUF_TYPE_VIDEO_CAPTURE;
            b.memory = V4l2Const.V4L2_MEMORY_MMAP;
            Check(Libc.Ioctl(_fd, V4l2Const.VIDIOC_QBUF, &b), $"VIDIOC_QBUF {index}");
        }

        private void Check(int r, string what)
        {
            if (r < 0) throw Libc.Error($"{_path}: {what}", -r);
        }

        private static string CString(byte* p, int max)
        {
            int n = 0;
            while (n < max && p[n] != 0) n++;
            return Encoding.ASCII.GetString(p, n);
        }

        public override void Dispose()
        {
            if (_fd < 0) return;
            if (_streaming)
            {
                int type = (int)V4l2Const.V4L2_BUF_TYPE_VIDEO_CAPTURE;
                Libc.Ioctl(_fd, V4l2Const.VIDIOC_STREAMOFF, &type);
                _streaming = false;
            }
            for (int i = 0; i < _maps.Length; i++)
                if (_maps[i] != null) { Libc.munmap(_maps[i], _lengths[i]); _maps[i] = null; }
            Libc.close(_fd);
            _fd = -1;
            _held = -1;
        }
    }
}
