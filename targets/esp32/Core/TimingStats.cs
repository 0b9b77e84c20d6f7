using System;

namespace Edge.Esp32
{
    /// <summary>Running statistics of ticks per inference (count, last, min, max, mean). Allocates nothing in <see cref="Add"/>.</summary>
    public sealed class TimingStats
    {
        private long _sum;

        public int Count;
        public long Last;
        public long Min = long.MaxValue;
        public long Max = long.MinValue;

        public void Add(long ticks)
        {
            if (ticks < 0) throw new ArgumentOutOfRangeException("ticks");
            Count++;
            Last = ticks;
            _sum += ticks;
            if (ticks < Min) Min = ticks;
            if (ticks > Max) Max = ticks;
        }

        /// <summary>Mean ticks, rounded half up; 0 before the first sample.</summary>
        public long Mean { get { return Count == 0 ? 0 : (_sum + Count / 2) / Count; } }

        public void Reset()
        {
            _sum = 0;
            Count = 0;
            Last = 0;
            Min = long.MaxValue;
            Max = long.MinValue;
        }

        /// <summary>
        /// "ticks/inference last 12345 mean 12000 min 11800 max 13000 over 10 (mean 1.200 ms)".
        /// <paramref name="ticksPerMillisecond"/> converts ticks to time (10 000 for DateTime ticks).
        /// </summary>
        public string Summary(long ticksPerMillisecond)
        {
            if (Count == 0) return "ticks/inference: no inference yet";
            return string.Concat(
                string.Concat("ticks/inference last ", Last.ToString(), " mean ", Mean.ToString()),
                string.Concat(" min ", Min.ToString(), " max ", Max.ToString()),
                string.Concat(" over ", Count.ToString(), " (mean ", Text.Milli(Mean * 1000 / ticksPerMillisecond), " ms)"));
        }
    }
}
