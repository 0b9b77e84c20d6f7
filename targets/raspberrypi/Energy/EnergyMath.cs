using System;

namespace Edge.Pi.Energy
{
    /// <summary>What one energy measurement gives.</summary>
    public sealed class EnergyReport
    {
        public int Inferences;
        /// <summary>(∫ P dt over the inference window − P_idle × window length) / N, in µJ.</summary>
        public double MicrojoulesPerInference;
        /// <summary>∫ P dt over the inference window (J).</summary>
        public double ActiveEnergyJ;
        /// <summary>Mean power over the idle window and over the inference window (W), time-weighted.</summary>
        public double IdlePowerW, ActivePowerW;
        public double IdleSeconds, ActiveSeconds;
        public double P50Ms, P90Ms, P99Ms, MeanMs, MinMs, MaxMs;
        public int Samples;
        /// <summary>Achieved sampling rate (Hz) and the longest gap between two samples (s).</summary>
        public double AchievedRateHz, MaxSampleIntervalS;
        public double MeanBusVolts;
        public int OverflowSamples;
        public bool Truncated;
    }

    /// <summary>
    /// The energy arithmetic, on timestamped samples. The power signal is taken to be the piecewise-linear
    /// interpolant through the samples (trapezoidal rule); windows that start or end between samples are cut by
    /// linear interpolation. The integral is exact for a signal that is linear between consecutive samples;
    /// otherwise its error is bounded by (b − a)·h²·max|P''| / 12 for smooth signals and by the step height times
    /// the sample interval around each step.
    /// </summary>
    public static class EnergyMath
    {
        /// <summary>The interpolant at <paramref name="x"/> (held constant before the first and after the last sample).</summary>
        public static double ValueAt(ReadOnlySpan<double> t, ReadOnlySpan<double> p, double x)
        {
            int n = t.Length;
            if (n == 0) return 0;
            if (x <= t[0]) return p[0];
            if (x >= t[n - 1]) return p[n - 1];
            int i = UpperIndex(t, x); // t[i-1] < x <= t[i]
            double t0 = t[i - 1], t1 = t[i];
            if (t1 == t0) return p[i];
            return p[i - 1] + (p[i] - p[i - 1]) * (x - t0) / (t1 - t0);
        }

        /// <summary>∫ from a to b of the interpolant (trapezoidal rule; a ≤ b; constant hold outside the samples).</summary>
        public static double Integrate(ReadOnlySpan<double> t, ReadOnlySpan<double> p, double a, double b)
        {
            if (t.Length != p.Length) throw new ArgumentException("t and p differ in length");
            if (b < a) throw new ArgumentException("b < a");
            int n = t.Length;
            if (n == 0 || b == a) return 0;
            double sum = 0;
            double x0 = a, y0 = ValueAt(t, p, a);
            int i = a < t[0] ? 0 : UpperIndex(t, a); // first sample strictly after a (or t[n] if none)
            while (i < n && t[i] <= a) i++;
            for (; i < n && t[i] < b; i++)
            {
                sum += 0.5 * (y0 + p[i]) * (t[i] - x0);
                x0 = t[i]; y0 = p[i];
            }
            double yb = ValueAt(t, p, b);
            sum += 0.5 * (y0 + yb) * (b - x0);
            return sum;
        }

        /// <summary>Smallest i with t[i] ≥ x (t sorted, x in (t[0], t[n−1]]).</summary>
        private static int UpperIndex(ReadOnlySpan<double> t, double x)
        {
            int lo = 0, hi = t.Length - 1;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (t[mid] < x) lo = mid + 1; else hi = mid;
            }
            return lo;
        }

        /// <summary>Nearest-rank percentile of sorted values (as `edge bench`).</summary>
        public static double Percentile(ReadOnlySpan<double> sorted, double p)
        {
            if (sorted.Length == 0) return 0;
            int rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
            return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
        }

        /// <summary>
        /// Energy per inference (MLPerf Tiny's definition with the idle baseline removed): P_idle = ∫P dt / T over
        /// the idle window; E = ∫P dt over [start of the first inference, end of the last]; µJ per inference =
        /// (E − P_idle × window) / N × 10⁶. Allocates (the power and latency arrays); call it after measuring.
        /// </summary>
        public static EnergyReport Analyze(EnergyTrace trace)
        {
            int n = trace.Count;
            if (n < 2) throw new InvalidOperationException("the trace has fewer than two samples");
            if (trace.Inferences < 1) throw new InvalidOperationException("the trace has no inferences");
            var t = new ReadOnlySpan<double>(trace.Time, 0, n);
            var p = new double[n];
            double vSum = 0;
            for (int i = 0; i < n; i++) { p[i] = trace.Power(i); vSum += trace.Volts[i]; }

            var r = new EnergyReport { Inferences = trace.Inferences, Samples = n, OverflowSamples = trace.OverflowSamples, Truncated = trace.Truncated };
            r.IdleSeconds = trace.IdleEnd - trace.IdleStart;
            r.IdlePowerW = r.IdleSeconds > 0 ? Integrate(t, p, trace.IdleStart, trace.IdleEnd) / r.IdleSeconds : 0;

            double a = trace.InferenceStart[0], b = trace.InferenceEnd[trace.Inferences - 1];
            r.ActiveSeconds = b - a;
            r.ActiveEnergyJ = Integrate(t, p, a, b);
            r.ActivePowerW = r.ActiveSeconds > 0 ? r.ActiveEnergyJ / r.ActiveSeconds : 0;
            r.MicrojoulesPerInference = (r.ActiveEnergyJ - r.IdlePowerW * r.ActiveSeconds) / trace.Inferences * 1e6;

            var lat = new double[trace.Inferences];
            double latSum = 0;
            for (int i = 0; i < lat.Length; i++) { lat[i] = (trace.InferenceEnd[i] - trace.InferenceStart[i]) * 1000.0; latSum += lat[i]; }
            Array.Sort(lat);
            r.P50Ms = Percentile(lat, 50); r.P90Ms = Percentile(lat, 90); r.P99Ms = Percentile(lat, 99);
            r.MeanMs = latSum / lat.Length; r.MinMs = lat[0]; r.MaxMs = lat[^1];

            double maxGap = 0;
            for (int i = 1; i < n; i++) maxGap = Math.Max(maxGap, t[i] - t[i - 1]);
            r.MaxSampleIntervalS = maxGap;
            r.AchievedRateHz = t[n - 1] > t[0] ? (n - 1) / (t[n - 1] - t[0]) : 0;
            r.MeanBusVolts = vSum / n;
            return r;
        }
    }
}
