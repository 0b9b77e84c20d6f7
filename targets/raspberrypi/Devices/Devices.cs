using System;

namespace Edge.Pi.Devices
{
    /// <summary>
    /// An I2C peripheral at a fixed address (dotnet/iot's I2cDevice idea). The Linux implementation talks to
    /// /dev/i2c-N; tests use simulated register maps.
    /// </summary>
    public abstract class I2cDevice : IDisposable
    {
        public abstract int BusId { get; }
        public abstract int Address { get; }

        /// <summary>Writes <paramref name="write"/> then reads <paramref name="read"/>.Length bytes in one combined transaction (repeated start).</summary>
        public abstract void WriteRead(ReadOnlySpan<byte> write, Span<byte> read);

        public abstract void Write(ReadOnlySpan<byte> data);

        public abstract void Read(Span<byte> data);

        public virtual void Dispose() { }
    }

    /// <summary>One GPIO output line (an LED, a trigger pin).</summary>
    public abstract class GpioOutput : IDisposable
    {
        public abstract void Write(bool high);
        public virtual void Dispose() { }
    }

    /// <summary>Pixel formats a frame source delivers.</summary>
    public enum PixelFormat
    {
        /// <summary>8-bit luma only (V4L2 GREY).</summary>
        Grey,
        /// <summary>4:2:2 packed Y0 U Y1 V (V4L2 YUYV).</summary>
        Yuyv,
    }

    /// <summary>
    /// A camera: delivers frames into a buffer it owns. <see cref="Capture"/> returns the frame's bytes, valid
    /// until the next call; it must not allocate in the steady state.
    /// </summary>
    public abstract class FrameSource : IDisposable
    {
        public abstract int Width { get; }
        public abstract int Height { get; }
        public abstract PixelFormat Format { get; }
        /// <summary>Bytes per row (may exceed the pixel bytes).</summary>
        public abstract int Stride { get; }
        public abstract ReadOnlySpan<byte> Capture();
        public virtual void Dispose() { }
    }

    /// <summary>Audio: 16 kHz mono int16 samples. <see cref="Read"/> fills the span, returns the count (0 at the end).</summary>
    public abstract class SampleSource : IDisposable
    {
        public abstract int SampleRate { get; }
        public abstract int Read(Span<short> samples);
        public virtual void Dispose() { }
    }
}
