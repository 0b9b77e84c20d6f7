using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Converter.Quantization;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Quantization
{
    /// <summary>Calibration range methods on synthetic data whose answer is known in closed form.</summary>
    public class CalibrationTests
    {
        private readonly ITestOutputHelper _log;
        public CalibrationTests(ITestOutputHelper log) { _log = log; }

        private static TensorRange Run(CalibrationOptions o, params float[][] batches)
        {
            var c = new Calibrator(o);
            foreach (var b in batches) c.CollectRange("t", b);
            if (c.NeedsHistogramPass) foreach (var b in batches) c.CollectHistogram("t", b);
            return c.Compute()["t"];
        }

        /// <summary>Deterministic N(0,1) samples (Box–Muller on a seeded generator).</summary>
        private static float[] Gaussian(int n, int seed)
        {
            var r = new Random(seed);
            var v = new float[n];
            for (int i = 0; i < n; i++)
                v[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble()));
            return v;
        }

        [Fact]
        public void MinMaxIsTheExtremesOverAllSamples()
        {
            var r = Run(new CalibrationOptions { Method = CalibrationMethod.MinMax },
                new[] { 0.5f, -1.25f, 3f }, new[] { 7.5f, 2f }, new[] { -0.25f, float.NaN });
            Assert.Equal(new TensorRange(-1.25f, 7.5f), r);
        }

        [Fact]
        public void HistogramFollowsNumpyBinning()
        {
            // numpy.histogram([0, 0.25, 0.5, 0.75, 1, 1.0001], bins=4, range=(0, 1)) == [1, 1, 1, 2] (last bin closed, out of range dropped)
            var h = new Histogram(0, 1, 4);
            foreach (var v in new[] { 0f, 0.25f, 0.5f, 0.75f, 1f, 1.0001f, -0.1f }) h.Add(v);
            Assert.Equal(new long[] { 1, 1, 1, 2 }, h.Counts);
        }

        [Theory]
        [InlineData(99.0)]
        [InlineData(99.9)]
        [InlineData(90.0)]
        public void PercentileOfAUniformDistributionIsThatQuantileOfAbsX(double p)
        {
            // x uniform on a symmetric grid over [-1, 1]: |x| is uniform on [0, 1], its P-th percentile is P/100.
            int n = 200_001;
            var x = Enumerable.Range(0, n).Select(i => (float)(-1 + 2.0 * i / (n - 1))).ToArray();
            var o = new CalibrationOptions { Method = CalibrationMethod.Percentile, Percentile = p };
            var r = Run(o, x);
            double binWidth = 1.0 / o.Bins;
            Assert.InRange(r.Max, p / 100 - binWidth, p / 100 + 2 * binWidth);
            Assert.Equal(-r.Max, r.Min);
        }

        [Fact]
        public void PercentileIsClippedToTheObservedRange()
        {
            // all-positive data: the symmetric threshold's negative end is clipped to the minimum. P = 100 gives the
            // left edge of the last occupied bin (onnxruntime returns hist_edges[idx], the bin's lower edge).
            var x = Enumerable.Range(1, 1000).Select(i => i / 1000f).ToArray();
            var o = new CalibrationOptions { Method = CalibrationMethod.Percentile, Percentile = 100 };
            var r = Run(o, x);
            Assert.Equal(0.001f, r.Min);
            Assert.InRange(r.Max, 1 - 0.999 / o.Bins - 1e-6, 1.0);
        }

        [Fact]
        public void PercentileIgnoresRareOutliers()
        {
            var x = Gaussian(100_000, 1).Concat(new[] { 80f, -60f }).ToArray();
            var r = Run(new CalibrationOptions { Method = CalibrationMethod.Percentile, Percentile = 99.9 }, x);
            // |N(0,1)| 99.9th percentile is 3.29; the histogram resolution is 80/2048 ≈ 0.04
            _log.WriteLine($"percentile 99.9 range {r}");
            Assert.InRange(r.Max, 3.29 - 0.1, 3.29 + 0.1);
        }

        [Fact]
        public void EntropyClipsOutliersButKeepsTheBulk()
        {
            var x = Gaussian(200_000, 2).Concat(new[] { 100f, -100f, 90f }).ToArray();
            var kl = Run(new CalibrationOptions { Method = CalibrationMethod.Entropy }, x);
            var mm = Run(new CalibrationOptions { Method = CalibrationMethod.MinMax }, x);
            _log.WriteLine($"entropy range {kl}, minmax {mm}");
            Assert.Equal(100f, mm.Max);
            // The KL threshold must discard the outliers (far below 100) but keep the Gaussian's body (beyond 2σ).
            Assert.InRange(kl.Max, 2.0, 25.0);
            Assert.InRange(-kl.Min, 2.0, 25.0);
        }

        [Fact]
        public void EntropyKeepsNearlyAllOfAUniformDistribution()
        {
            // With no tail to trade against resolution, clipping only adds error: the threshold stays near the maximum.
            var r = new Random(5);
            var x = Enumerable.Range(0, 100_000).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
            var kl = Run(new CalibrationOptions { Method = CalibrationMethod.Entropy }, x);
            _log.WriteLine($"entropy range on U(-1,1): {kl}");
            Assert.True(kl.Max > 0.9 && kl.Min < -0.9, kl.ToString());
        }

        [Fact]
        public void EntropyOfNonNegativeDataIsClippedToTheMinimum()
        {
            var g = Gaussian(50_000, 3).Select(v => Math.Max(v, 0f)).ToArray();   // a ReLU output
            var kl = Run(new CalibrationOptions { Method = CalibrationMethod.Entropy }, g);
            Assert.Equal(0f, kl.Min);
            Assert.True(kl.Max > 1.5f && kl.Max <= g.Max(), kl.ToString());
        }

        [Fact]
        public void TwoPassHistogramEqualsOneHistogramOverAllData()
        {
            // onnxruntime histograms all samples at once; the range pass must make per-sample collection identical.
            var a = Gaussian(10_000, 4); var b = Gaussian(10_000, 5).Select(v => 3 * v).ToArray();
            foreach (var m in new[] { CalibrationMethod.Percentile, CalibrationMethod.Entropy })
            {
                var o = new CalibrationOptions { Method = m, Percentile = 99.5 };
                Assert.Equal(Run(o, a.Concat(b).ToArray()), Run(o, a, b));
            }
        }

        [Fact]
        public void ProgressBarPrintsPlainLinesWhenNotATerminal()
        {
            var w = new StringWriter();
            var bar = new ProgressBar(w, "calibrating", 20, terminal: false);
            for (int i = 0; i < 20; i++) bar.Step();
            var lines = w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(11, lines.Length);   // the first step, then one line per decile reached (10 %, 20 %, … 100 %)
            Assert.StartsWith("calibrating: 20/20 (100%)", lines[^1]);
            Assert.DoesNotContain('\r', w.ToString());
        }

        [Fact]
        public void ProgressBarRedrawsOneLineOnATerminal()
        {
            var w = new StringWriter();
            var bar = new ProgressBar(w, "calibrating", 3, terminal: true);
            for (int i = 0; i < 3; i++) bar.Step();
            string s = w.ToString();
            Assert.StartsWith("\rcalibrating [", s);
            Assert.Contains("] 3/3", s);
            Assert.Single(s.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }
}
