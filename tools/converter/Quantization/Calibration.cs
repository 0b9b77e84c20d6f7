using System;
using System.Collections.Generic;
using System.Linq;
using Edge.Converter.Conversion;

namespace Edge.Converter.Quantization
{
    public enum CalibrationMethod { MinMax, Percentile, Entropy }

    public sealed class CalibrationOptions
    {
        public CalibrationMethod Method { get; set; } = CalibrationMethod.MinMax;
        /// <summary>Percentile method: the fraction of |x| kept, in percent (onnxruntime's default 99.999).</summary>
        public double Percentile { get; set; } = 99.999;
        /// <summary>Histogram bins for the percentile and entropy methods (TensorRT's 2048).</summary>
        public int Bins { get; set; } = 2048;
        /// <summary>Entropy method: the bins a candidate range is merged into (128, the int8 half-range).</summary>
        public int QuantizedBins { get; set; } = 128;

        public static CalibrationMethod ParseMethod(string s) => s switch
        {
            "minmax" => CalibrationMethod.MinMax,
            "percentile" => CalibrationMethod.Percentile,
            "entropy" => CalibrationMethod.Entropy,
            _ => throw new ArgumentException($"unknown calibration method '{s}' (minmax, percentile or entropy)"),
        };

        public static string Name(CalibrationMethod m) => m switch
        {
            CalibrationMethod.MinMax => "minmax",
            CalibrationMethod.Percentile => "percentile",
            _ => "entropy",
        };
    }

    /// <summary>The calibrated real range of one tensor (before it is widened to include 0 for quantization).</summary>
    public readonly record struct TensorRange(float Min, float Max);

    /// <summary>
    /// A histogram with explicit bin edges, filled with numpy.histogram's rule: bin i holds [e[i], e[i+1]), the last
    /// bin is closed, values outside [e[0], e[^1]] are not counted.
    /// </summary>
    public sealed class Histogram
    {
        public double[] Edges { get; }
        public long[] Counts { get; }

        public Histogram(double lo, double hi, int bins)
        {
            if (lo == hi) { lo -= 0.5; hi += 0.5; }   // numpy's rule for an empty range
            Edges = new double[bins + 1];
            for (int i = 0; i <= bins; i++) Edges[i] = lo + (hi - lo) * i / bins;
            Edges[bins] = hi;
            Counts = new long[bins];
        }

        public void Add(float v)
        {
            double x = v;
            if (double.IsNaN(x) || x < Edges[0] || x > Edges[^1]) return;
            int bins = Counts.Length;
            int i = (int)((x - Edges[0]) / (Edges[^1] - Edges[0]) * bins);
            if (i >= bins) i = bins - 1;
            if (i < 0) i = 0;
            // the uniform guess can be one off where x sits on an edge: settle it against the edges themselves
            while (i > 0 && x < Edges[i]) i--;
            while (i < bins - 1 && x >= Edges[i + 1]) i++;
            Counts[i]++;
        }

        public long Total => Counts.Sum();
    }

    /// <summary>
    /// Collects activation ranges over calibration samples and reduces them with one of three methods, following
    /// onnxruntime's <c>calibrate.py</c>:
    /// <list type="bullet">
    /// <item><b>minmax</b>: the smallest and largest value seen.</item>
    /// <item><b>percentile</b> (symmetric, as onnxruntime's default): a histogram of |x| over [min|x|, max|x|]; the
    /// threshold is the bin edge where the cumulative fraction first reaches P/100, the range (−t, t) clipped to the
    /// observed [min, max].</item>
    /// <item><b>entropy</b> (TensorRT's KL method): a histogram of x over [−m, m] (m = max|x|); for each candidate
    /// window of 2·i+1 centre bins (i = 64 … bins/2) the clipped distribution p (outliers folded into its end bins) and
    /// its 128-level quantization q (merged, then spread over p's non-zero bins) are smoothed and compared by KL(p‖q);
    /// the window with the smallest divergence gives the range, clipped to [min, max].</item>
    /// </list>
    /// onnxruntime builds its histogram from all samples at once; here a first pass finds the global extremes and a
    /// second builds the histogram over them, which gives the same bins without holding every sample's tensors.
    /// </summary>
    public sealed class Calibrator
    {
        private sealed class Stat
        {
            public float Min = float.PositiveInfinity, Max = float.NegativeInfinity;
            public float MinAbs = float.PositiveInfinity, MaxAbs;
            public Histogram Hist;
        }

        private readonly CalibrationOptions _options;
        private readonly Dictionary<string, Stat> _stats = new(StringComparer.Ordinal);
        private bool _histogramPass;

        public Calibrator(CalibrationOptions options)
        {
            _options = options;
            if (options.Percentile <= 0 || options.Percentile > 100) throw new ArgumentException($"percentile must be in (0, 100], got {options.Percentile}");
            if (options.Bins < options.QuantizedBins || options.QuantizedBins < 2) throw new ArgumentException("histogram bins must be >= quantized bins >= 2");
        }

        public CalibrationOptions Options => _options;
        /// <summary>Whether the method needs a second pass over the samples (histograms over the global range).</summary>
        public bool NeedsHistogramPass => _options.Method != CalibrationMethod.MinMax;

        /// <summary>Pass 1: extremes. Call for every sample with the tensors to calibrate.</summary>
        public void CollectRange(string name, float[] data)
        {
            if (!_stats.TryGetValue(name, out var s)) _stats[name] = s = new Stat();
            foreach (var v in data)
            {
                if (float.IsNaN(v)) continue;
                if (v < s.Min) s.Min = v;
                if (v > s.Max) s.Max = v;
                float a = Math.Abs(v);
                if (a < s.MinAbs) s.MinAbs = a;
                if (a > s.MaxAbs) s.MaxAbs = a;
            }
        }

        /// <summary>Pass 2 (percentile and entropy): histograms over the ranges pass 1 found.</summary>
        public void CollectHistogram(string name, float[] data)
        {
            if (!_stats.TryGetValue(name, out var s)) throw new InvalidOperationException($"tensor '{name}' was not seen in the range pass");
            _histogramPass = true;
            if (s.Hist == null)
            {
                s.Hist = _options.Method == CalibrationMethod.Percentile
                    ? new Histogram(s.MinAbs, s.MaxAbs, _options.Bins)
                    : new Histogram(-s.MaxAbs, s.MaxAbs, _options.Bins);
            }
            if (_options.Method == CalibrationMethod.Percentile) foreach (var v in data) s.Hist.Add(Math.Abs(v));
            else foreach (var v in data) s.Hist.Add(v);
        }

        public IEnumerable<string> Tensors => _stats.Keys;

        /// <summary>The calibrated range of every collected tensor.</summary>
        public Dictionary<string, TensorRange> Compute()
        {
            if (NeedsHistogramPass && !_histogramPass && _stats.Count > 0)
                throw new InvalidOperationException($"{CalibrationOptions.Name(_options.Method)} calibration needs the histogram pass");
            var r = new Dictionary<string, TensorRange>(StringComparer.Ordinal);
            foreach (var (name, s) in _stats)
            {
                if (s.Min > s.Max) throw new ConversionException($"calibration: tensor '{name}' has no finite values");
                r[name] = _options.Method switch
                {
                    CalibrationMethod.MinMax => new TensorRange(s.Min, s.Max),
                    CalibrationMethod.Percentile => Clip(PercentileRange(s.Hist, _options.Percentile), s),
                    _ => Clip(EntropyRange(s.Hist, _options.QuantizedBins), s),
                };
            }
            return r;
        }

        private static TensorRange Clip(TensorRange t, Stat s) =>
            new(Math.Max(t.Min, s.Min), Math.Min(t.Max, s.Max));

        /// <summary>onnxruntime's symmetric percentile: threshold = edges[searchsorted(cdf, P/100)] of the |x| histogram.</summary>
        public static TensorRange PercentileRange(Histogram h, double percentile)
        {
            long total = h.Total;
            if (total == 0) return new TensorRange(0, 0);
            double target = percentile / 100.0, cdf = 0;
            int idx = h.Counts.Length;   // searchsorted past the end when the target is never reached
            for (int i = 0; i < h.Counts.Length; i++)
            {
                cdf += (double)h.Counts[i] / total;
                if (cdf >= target) { idx = i; break; }
            }
            float t = (float)h.Edges[Math.Min(idx, h.Edges.Length - 1)];
            return new TensorRange(-t, t);
        }

        /// <summary>TensorRT's / onnxruntime's KL-divergence threshold search over a symmetric histogram.</summary>
        public static TensorRange EntropyRange(Histogram h, int quantizedBins)
        {
            var hist = h.Counts;
            int numBins = hist.Length, zero = numBins / 2, half = quantizedBins / 2;
            double bestKl = double.PositiveInfinity;
            (double lo, double hi) best = (h.Edges[0], h.Edges[^1]);
            var prefix = new long[numBins + 1];
            for (int i = 0; i < numBins; i++) prefix[i + 1] = prefix[i] + hist[i];
            for (int i = half; i <= zero; i++)
            {
                int start = zero - i, end = Math.Min(zero + i + 1, numBins);
                int len = end - start;
                var p = new double[len];
                for (int k = 0; k < len; k++) p[k] = hist[start + k];
                p[0] += prefix[start];
                p[len - 1] += prefix[numBins] - prefix[end];
                int merged = len / quantizedBins;
                var qb = new double[quantizedBins];
                for (int b = 0; b < quantizedBins; b++)
                    for (int k = b * merged; k < (b + 1) * merged; k++) qb[b] += hist[start + k];
                for (int k = quantizedBins * merged; k < len; k++) qb[quantizedBins - 1] += hist[start + k];
                var q = new double[len];
                for (int b = 0; b < quantizedBins; b++)
                {
                    int s0 = b * merged, s1 = s0 + merged;
                    int norm = 0;
                    for (int k = s0; k < s1; k++) if (p[k] != 0) norm++;
                    if (norm != 0) for (int k = s0; k < s1; k++) q[k] = qb[b] / norm;   // onnxruntime spreads over the whole group (q is an int array there)
                }
                // onnxruntime stores q in an int64 array: the spread values are truncated
                for (int k = 0; k < len; k++) q[k] = Math.Floor(q[k]);
                double kl = Smooth(p) && Smooth(q) ? Kl(p, q) : double.PositiveInfinity;
                if (kl < bestKl) { bestKl = kl; best = (h.Edges[start], h.Edges[end]); }
            }
            return new TensorRange((float)best.lo, (float)best.hi);
        }

        /// <summary>calibrate.py's smooth_distribution (eps 1e-4, in float32 as there); false if all zero.</summary>
        private static bool Smooth(double[] p)
        {
            const float eps = 0.0001f;
            int zeros = p.Count(v => v == 0), nonzeros = p.Length - zeros;
            if (nonzeros == 0) return false;
            float eps1 = eps * zeros / nonzeros;
            for (int i = 0; i < p.Length; i++) p[i] = p[i] == 0 ? (float)(p[i] + eps) : (float)((float)p[i] - eps1);
            return true;
        }

        /// <summary>scipy.stats.entropy(p, q): both normalised, Σ p·ln(p/q).</summary>
        private static double Kl(double[] p, double[] q)
        {
            double sp = p.Sum(), sq = q.Sum(), kl = 0;
            for (int i = 0; i < p.Length; i++)
            {
                double a = p[i] / sp, b = q[i] / sq;
                if (a > 0) kl += b > 0 ? a * Math.Log(a / b) : double.PositiveInfinity;
            }
            return kl;
        }
    }
}
