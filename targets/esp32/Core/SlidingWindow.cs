using System;

namespace Edge.Esp32
{
    /// <summary>
    /// A fixed-size ring of the last <see cref="Frames"/> frames of <see cref="Channels"/> float values each
    /// (e.g. 50 frames × 3 accelerometer axes). All storage is allocated in the constructor; <see cref="Push"/>
    /// and <see cref="CopyTo"/> allocate nothing.
    /// </summary>
    public sealed class SlidingWindow
    {
        private readonly float[] _data;
        private int _next;      // frame index the next push writes
        private int _count;     // frames held (≤ Frames)
        private long _pushed;   // frames pushed since the start

        public readonly int Frames;
        public readonly int Channels;

        public SlidingWindow(int frames, int channels)
        {
            if (frames <= 0) throw new ArgumentOutOfRangeException("frames");
            if (channels <= 0) throw new ArgumentOutOfRangeException("channels");
            Frames = frames;
            Channels = channels;
            _data = new float[frames * channels];
        }

        public int Count { get { return _count; } }
        public bool IsFull { get { return _count == Frames; } }
        public long TotalPushed { get { return _pushed; } }

        /// <summary>Appends one frame (<see cref="Channels"/> values from <paramref name="frame"/>[offset..]); drops the oldest when full.</summary>
        public void Push(float[] frame, int offset)
        {
            if (frame == null || offset < 0 || offset > frame.Length - Channels)
                throw new ArgumentException("frame is shorter than the window's channel count");
            Array.Copy(frame, offset, _data, _next * Channels, Channels);
            _next++;
            if (_next == Frames) _next = 0;
            if (_count < Frames) _count++;
            _pushed++;
        }

        /// <summary>
        /// Copies the held frames, oldest first, frame-major (frame 0 channel 0, frame 0 channel 1, …) into
        /// <paramref name="destination"/>[offset..]. Returns the number of values written (Count × Channels).
        /// </summary>
        public int CopyTo(float[] destination, int offset)
        {
            int n = _count * Channels;
            if (destination == null || offset < 0 || offset > destination.Length - n)
                throw new ArgumentException("destination too small for the window");
            // Not yet full: frames 0.._count-1 in order. Full: _next is the oldest; copy _next..end, then 0.._next-1.
            int oldest = _count < Frames ? 0 : _next;
            int tailFrames = _count < Frames ? _count : Frames - oldest;
            Array.Copy(_data, oldest * Channels, destination, offset, tailFrames * Channels);
            int headFrames = _count - tailFrames;
            if (headFrames > 0) Array.Copy(_data, 0, destination, offset + tailFrames * Channels, headFrames * Channels);
            return n;
        }

        /// <summary>Forgets every frame.</summary>
        public void Clear()
        {
            _next = 0;
            _count = 0;
        }
    }
}
