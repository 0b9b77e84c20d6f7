using System;

namespace Edge.Pi.Energy
{
    /// <summary>
    /// A power trace and the inference windows it covers, in preallocated arrays (nothing is allocated while a
    /// measurement fills it). Times are seconds from the start of the measurement (Stopwatch time base).
    /// </summary>
    public sealed class EnergyTrace
    {
        /// <summary>Sample times (s), nondecreasing; the middle of each sensor read.</summary>
        public readonly double[] Time;
        public readonly double[] Volts;
        public readonly double[] Amps;
        public readonly bool[] Overflow;
        public int Count;

        /// <summary>Inference i ran from InferenceStart[i] to InferenceEnd[i] (s).</summary>
        public readonly double[] InferenceStart;
        public readonly double[] InferenceEnd;
        public int Inferences;

        /// <summary>The idle window (s): nothing ran on the main thread.</summary>
        public double IdleStart, IdleEnd;

        /// <summary>The sample arrays filled up before the measurement ended.</summary>
        public bool Truncated;
        public int OverflowSamples;
        /// <summary>Bytes allocated by the sampling thread inside its loop and by the main thread during the inferences.</summary>
        public long SamplerAllocatedBytes, MainAllocatedBytes;
        /// <summary>The sampling rate asked for (Hz).</summary>
        public double RequestedRateHz;

        public EnergyTrace(int maxSamples, int maxInferences)
        {
            if (maxSamples < 2) throw new ArgumentOutOfRangeException(nameof(maxSamples));
            if (maxInferences < 1) throw new ArgumentOutOfRangeException(nameof(maxInferences));
            Time = new double[maxSamples];
            Volts = new double[maxSamples];
            Amps = new double[maxSamples];
            Overflow = new bool[maxSamples];
            InferenceStart = new double[maxInferences];
            InferenceEnd = new double[maxInferences];
        }

        public int Capacity => Time.Length;

        /// <summary>Power of sample i (W) = volts × amps.</summary>
        public double Power(int i) => Volts[i] * Amps[i];

        /// <summary>Appends a sample (used by tests and offline traces; the sampler writes the arrays directly).</summary>
        public void Add(double t, double volts, double amps, bool overflow = false)
        {
            if (Count == Time.Length) { Truncated = true; return; }
            Time[Count] = t; Volts[Count] = volts; Amps[Count] = amps; Overflow[Count] = overflow;
            if (overflow) OverflowSamples++;
            Count++;
        }

        public void AddInference(double start, double end)
        {
            InferenceStart[Inferences] = start;
            InferenceEnd[Inferences] = end;
            Inferences++;
        }
    }
}
