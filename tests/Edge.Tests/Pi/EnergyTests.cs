using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Xml.Linq;
using Edge.Pi.Cli;
using Edge.Pi.Energy;
using Xunit;

namespace Edge.Tests.Pi
{
    /// <summary>
    /// The energy arithmetic on synthetic traces whose energy is known analytically (constant idle power plus
    /// trapezoidal, rectangular or sine-modulated load), with jittered timestamps; the threaded runner with a
    /// synthetic sensor; CSV and SVG output; and `edge-pi bench` end to end with a simulated INA219.
    /// </summary>
    public class EnergyTests
    {
        private const double V = 5.0;   // bus voltage of the synthetic traces; I = P / V

        /// <summary>Jittered sample times: k·h + U(−j, j)·h, k = 0.. while ≤ tEnd (sorted, distinct).</summary>
        private static double[] JitteredTimes(double h, double tEnd, double jitter, int seed)
        {
            var rng = new Random(seed);
            int n = (int)(tEnd / h) + 1;
            var t = new double[n];
            for (int k = 0; k < n; k++) t[k] = k * h + (rng.NextDouble() * 2 - 1) * jitter * h;
            t[0] = 0;
            Array.Sort(t);
            return t;
        }

        private static EnergyTrace TraceOf(double[] times, Func<double, double> power, int inferences)
        {
            var tr = new EnergyTrace(times.Length, inferences);
            foreach (double t in times) tr.Add(t, V, power(t) / V);
            return tr;
        }

        /// <summary>Trapezoid pulse: 0 before s, ramps to h over r, flat, ramps down over r to 0 at e.</summary>
        private static double Trapezoid(double t, double s, double e, double r, double h)
        {
            if (t <= s || t >= e) return 0;
            if (t < s + r) return h * (t - s) / r;
            if (t > e - r) return h * (e - t) / r;
            return h;
        }

        /// <summary>
        /// Piecewise-linear load sampled at jittered times that include every corner: the trapezoidal rule is
        /// exact, so µJ/inference equals the pulse area H·(d − r) to rounding.
        /// </summary>
        [Fact]
        public void TrapezoidPulsesWithCornersSampledAreExact()
        {
            const double p0 = 1.2, H = 0.35, d = 0.010, r = 0.002, gap = 0.003, idleEnd = 0.2;
            const int N = 20;
            var starts = Enumerable.Range(0, N).Select(i => idleEnd + 0.05 + i * (d + gap)).ToArray();
            double Power(double t)
            {
                double p = p0;
                foreach (double s in starts) p += Trapezoid(t, s, s + d, r, H);
                return p;
            }
            double tEnd = starts[^1] + d + 0.05;
            var corners = starts.SelectMany(s => new[] { s, s + r, s + d - r, s + d });
            var times = JitteredTimes(0.0013, tEnd, 0.4, 7).Concat(corners).OrderBy(x => x).ToArray();
            var tr = TraceOf(times, Power, N);
            tr.IdleStart = 0.01; tr.IdleEnd = idleEnd;
            foreach (double s in starts) tr.AddInference(s, s + d);

            var rep = EnergyMath.Analyze(tr);
            Assert.Equal(p0, rep.IdlePowerW, 12);
            Assert.Equal(H * (d - r) * 1e6, rep.MicrojoulesPerInference, 6);
            double window = starts[^1] + d - starts[0];
            Assert.Equal(p0 + N * H * (d - r) / window, rep.ActivePowerW, 9);
            Assert.Equal(d * 1000, rep.P50Ms, 9);
        }

        /// <summary>
        /// Rectangular pulses (one per inference, exactly its window) sampled at jittered times that miss the
        /// edges: the trapezoidal rule is off by at most H·h/2 per edge, so |error| ≤ H·h_max per inference.
        /// </summary>
        [Fact]
        public void RectangularPulsesWithinTheEdgeBound()
        {
            const double p0 = 2.0, H = 0.8, idleEnd = 0.3;
            const int N = 40;
            var rng = new Random(3);
            var starts = new double[N];
            var ends = new double[N];
            double t = idleEnd + 0.02;
            for (int i = 0; i < N; i++)
            {
                starts[i] = t;
                ends[i] = t + 0.004 + 0.004 * rng.NextDouble();   // 4–8 ms inferences
                t = ends[i] + 0.0002;                              // 0.2 ms between them (loop overhead)
            }
            double Power(double x)
            {
                for (int i = 0; i < N; i++) if (x >= starts[i] && x < ends[i]) return p0 + H;
                return p0;
            }
            var times = JitteredTimes(0.0005, t + 0.02, 0.3, 11);
            var tr = TraceOf(times, Power, N);
            tr.IdleStart = 0.0; tr.IdleEnd = idleEnd;
            for (int i = 0; i < N; i++) tr.AddInference(starts[i], ends[i]);

            var rep = EnergyMath.Analyze(tr);
            double truth = H * Enumerable.Range(0, N).Sum(i => ends[i] - starts[i]) / N * 1e6;
            double hMax = times.Zip(times.Skip(1), (a, b) => b - a).Max();
            Assert.Equal(p0, rep.IdlePowerW, 12);
            Assert.Equal(hMax, rep.MaxSampleIntervalS, 15);
            Assert.InRange(rep.MicrojoulesPerInference, truth - H * hMax * 1e6, truth + H * hMax * 1e6);
            // Latency percentiles: nearest rank of the window lengths.
            var lat = Enumerable.Range(0, N).Select(i => (ends[i] - starts[i]) * 1000).OrderBy(x => x).ToArray();
            Assert.Equal(lat[(int)Math.Ceiling(0.5 * N) - 1], rep.P50Ms, 12);
            Assert.Equal(lat[(int)Math.Ceiling(0.9 * N) - 1], rep.P90Ms, 12);
            Assert.Equal(lat[(int)Math.Ceiling(0.99 * N) - 1], rep.P99Ms, 12);
            Assert.Equal(lat.Average(), rep.MeanMs, 12);
        }

        /// <summary>
        /// A sine-modulated load over the inference window, P = P0 + A·(1 − cos ω(t − a)) with ωL = 4π (smooth at
        /// both ends): ∫(P − P0) = A·L exactly. The linear interpolant is within h²·max|P''|/8 = h²·A·ω²/8 of P
        /// everywhere, so the energy is within L·h_max²·A·ω²/8.
        /// </summary>
        [Fact]
        public void SineModulatedLoadWithinTheInterpolationBound()
        {
            const double p0 = 0.9, A = 0.5, a = 0.25, L = 0.5;
            const int N = 50;
            double w = 4 * Math.PI / L;
            double Power(double t) => t > a && t < a + L ? p0 + A * (1 - Math.Cos(w * (t - a))) : p0;
            var times = JitteredTimes(0.001, a + L + 0.05, 0.35, 5);
            var tr = TraceOf(times, Power, N);
            tr.IdleStart = 0.0; tr.IdleEnd = 0.2;
            for (int i = 0; i < N; i++) tr.AddInference(a + i * L / N, a + (i + 1) * L / N);

            var rep = EnergyMath.Analyze(tr);
            double truth = A * L / N * 1e6;
            double hMax = times.Zip(times.Skip(1), (x, y) => y - x).Max();
            double bound = L * hMax * hMax * A * w * w / 8 / N * 1e6;
            Assert.Equal(p0, rep.IdlePowerW, 12);
            Assert.InRange(rep.MicrojoulesPerInference, truth - bound, truth + bound);
            Assert.True(bound < 0.01 * truth, $"the bound ({bound} µJ) is tight enough to mean something");
        }

        /// <summary>A linear signal is integrated exactly over any window, including cuts between samples and holds outside.</summary>
        [Fact]
        public void IntegrateIsExactForLinearSignalsAndHoldsOutside()
        {
            var t = JitteredTimes(0.01, 1.0, 0.45, 9);
            var p = t.Select(x => 3 + 2 * x).ToArray();
            double F(double x) => 3 * x + x * x;
            Assert.Equal(F(0.733) - F(0.0412), EnergyMath.Integrate(t, p, 0.0412, 0.733), 12);
            Assert.Equal(0, EnergyMath.Integrate(t, p, 0.5, 0.5));
            // Before the first sample and after the last: the end values are held.
            double last = t[^1];
            Assert.Equal((F(last) - F(0)) + (last + 0.5 - last) * (3 + 2 * last), EnergyMath.Integrate(t, p, -0.0, last + 0.5), 12);
            Assert.Equal(3 * 0.2, EnergyMath.Integrate(t, p, -0.3, -0.1), 12);
        }

        /// <summary>A power sensor driven by a flag the synthetic inference sets: P0 when clear, P0 + H when set.</summary>
        private sealed class FlagSensor : PowerSensor
        {
            public const double P0 = 1.5, H = 0.6;
            public volatile bool Busy;
            public override void Read(out double volts, out double amps)
            {
                volts = V;
                amps = (Busy ? P0 + H : P0) / V;
            }
        }

        /// <summary>
        /// The threaded runner: real Stopwatch timestamps, a sampling thread, inferences on this thread. The idle
        /// power is exact; the energy per inference is within H·2·h_max of H × the mean latency (the edges of each
        /// inference fall between samples); nothing is allocated while measuring.
        /// </summary>
        [Fact]
        public void MeterMeasuresASyntheticLoad()
        {
            var sensor = new FlagSensor();
            const int N = 30;
            var tr = new EnergyTrace(EnergyMeter.CapacityFor(2000, 2.0), N);
            Action inference = () =>
            {
                sensor.Busy = true;
                long end = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 3 / 1000;   // 3 ms of work
                while (Stopwatch.GetTimestamp() < end) Thread.SpinWait(10);
                sensor.Busy = false;
            };
            new EnergyMeter(sensor, tr, 2000).Run(inference, N, 0.1);

            Assert.Equal(N, tr.Inferences);
            Assert.False(tr.Truncated);
            Assert.Equal(0, tr.SamplerAllocatedBytes);
            Assert.Equal(0, tr.MainAllocatedBytes);
            for (int i = 1; i < tr.Count; i++) Assert.True(tr.Time[i] >= tr.Time[i - 1]);
            Assert.True(tr.Time[0] <= tr.IdleStart);
            Assert.True(tr.Time[tr.Count - 1] > tr.InferenceEnd[N - 1]);
            for (int i = 0; i < N; i++) Assert.True(tr.InferenceEnd[i] - tr.InferenceStart[i] >= 0.003);

            var rep = EnergyMath.Analyze(tr);
            Assert.Equal(FlagSensor.P0, rep.IdlePowerW, 12);
            double truth = FlagSensor.H * rep.MeanMs / 1000 * 1e6;
            double tol = FlagSensor.H * 2 * rep.MaxSampleIntervalS * 1e6;
            Assert.InRange(rep.MicrojoulesPerInference, truth - tol, truth + tol);
        }

        [Fact]
        public void SamplerErrorsReachTheCaller()
        {
            var tr = new EnergyTrace(1000, 5);
            var e = Assert.Throws<DeviceException>(() => new EnergyMeter(new FailingSensor(), tr, 500).Run(() => { }, 5, 0.01));
            Assert.Contains("gone", e.Message);
        }

        private sealed class FailingSensor : PowerSensor
        {
            public override void Read(out double volts, out double amps) => throw new DeviceException("sensor gone");
        }

        private static EnergyTrace SmallTrace(int n, int inferences, out double[] starts, out double[] ends)
        {
            var times = JitteredTimes(0.001, (n - 1) * 0.001, 0.3, 21).Take(n).ToArray();
            starts = new double[inferences]; ends = new double[inferences];
            for (int i = 0; i < inferences; i++) { starts[i] = 0.05 + i * 0.006; ends[i] = starts[i] + 0.004; }
            var s = starts; var e = ends;
            var tr = TraceOf(times, t => 1.0 + (Enumerable.Range(0, s.Length).Any(i => t >= s[i] && t <= e[i]) ? 0.5 : 0), inferences);
            tr.IdleStart = 0.001; tr.IdleEnd = 0.04;
            for (int i = 0; i < inferences; i++) tr.AddInference(starts[i], ends[i]);
            return tr;
        }

        [Fact]
        public void CsvHasOneRowPerSampleAndMarksInferenceWindows()
        {
            var tr = SmallTrace(200, 10, out var starts, out var ends);
            var sw = new StringWriter();
            TraceWriter.WriteCsv(tr, sw);
            var lines = sw.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("time_s,bus_V,current_mA,power_mW,in_inference", lines[0].TrimEnd('\r'));
            Assert.Equal(tr.Count + 1, lines.Length);
            for (int i = 0; i < tr.Count; i++)
            {
                var f = lines[i + 1].TrimEnd('\r').Split(',');
                Assert.Equal(5, f.Length);
                double t = double.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(tr.Time[i], t, 6);
                double mw = double.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(tr.Power(i) * 1000, mw, 3);
                bool inside = Enumerable.Range(0, starts.Length).Any(k => tr.Time[i] >= starts[k] && tr.Time[i] <= ends[k]);
                Assert.Equal(inside ? "1" : "0", f[4]);
            }
        }

        [Theory]
        [InlineData(200)]       // every sample drawn
        [InlineData(20000)]     // min/max per pixel column
        public void SvgIsWellFormedWithPolylineWindowsAndTitle(int n)
        {
            var tr = SmallTrace(n, 10, out _, out _);
            var rep = EnergyMath.Analyze(tr);
            var sw = new StringWriter();
            TraceWriter.WriteSvg(tr, rep, sw, "model <&> \"x\"");
            var doc = XDocument.Parse(sw.ToString());
            XNamespace ns = "http://www.w3.org/2000/svg";
            Assert.Equal(ns + "svg", doc.Root!.Name);
            var poly = doc.Descendants(ns + "polyline").Single(e => (string)e.Attribute("class") == "power");
            var pts = ((string)poly.Attribute("points")!).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (tr.Count <= 1620) Assert.Equal(tr.Count, pts.Length);
            else Assert.InRange(pts.Length, 810, 2 * 811);
            foreach (var pt in pts)
            {
                var xy = pt.Split(',');
                double x = double.Parse(xy[0], System.Globalization.CultureInfo.InvariantCulture);
                double y = double.Parse(xy[1], System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(x, 69.99, 880.01);
                Assert.InRange(y, 49.99, 350.01);
            }
            var windows = doc.Descendants(ns + "g").Single(e => (string)e.Attribute("class") == "inference").Elements(ns + "rect").Count();
            // 2 ms gaps: 8 px at 0.2 s across the plot (10 windows), 0.08 px at 20 s (merged into one).
            Assert.Equal(n == 200 ? 10 : 1, windows);
            string title = doc.Descendants(ns + "title").Single().Value;
            Assert.Contains("model <&> \"x\"", title);
            Assert.Contains(rep.MicrojoulesPerInference.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " µJ/inference", title);
            Assert.True(doc.Descendants(ns + "text").Count() > 5, "axis tick labels");
        }

        [Fact]
        public void BenchVerbEndToEndWithASimulatedIna219()
        {
            string dir = Path.Combine(Path.GetTempPath(), "edge-pi-bench-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string model = Path.Combine(dir, "m.edge");
                File.WriteAllBytes(model, TestModels.SmallModelBytes());
                var sim = new Ina219Tests.SimIna219 { ShuntOhms = 0.1, Amps = 0.45, BusVolts = 5.1 };
                int openedBus = -1, openedAddr = -1;
                var verb = new BenchVerb((b, a) => { openedBus = b; openedAddr = a; return sim; });
                var o = new StringWriter(); var e = new StringWriter();
                int rc = verb.Run(new[] { "--model", model, "--ina219", "1:0x41", "--shunt-ohms", "0.1", "--max-amps", "2",
                    "--iterations", "50", "--idle-seconds", "0.05", "--rate", "1000", "--csv", Path.Combine(dir, "t.csv"),
                    "--plot", Path.Combine(dir, "t.svg"), "--kernels", "reference", "--json" }, o, e);
                Assert.True(rc == 0, e.ToString());
                Assert.Equal((1, 0x41), (openedBus, openedAddr));
                var j = JsonNode.Parse(o.ToString())!;
                Assert.Equal(50, (int)j["iterations"]!);
                // Constant power: active equals idle, so the energy above idle is zero.
                Assert.InRange((double)j["uJPerInference"]!, -1e-6, 1e-6);
                // 2 A / 2^15 = 61 µA → Current_LSB 100 µA → Cal = 0.04096 / (1e-4 × 0.1) = 4096; the registers then
                // hold 0.45 A = 4500 LSB and 5.1 V = 1275 × 4 mV exactly, so P = 0.45 × 5.1 W.
                Assert.Equal(4096, sim.Cal);
                Assert.Equal(4096, (int)j["calibration"]!);
                Assert.Equal(0.45 * 5.1 * 1000, (double)j["idlePowerMw"]!, 6);
                Assert.Equal(0.45 * 5.1 * 1000, (double)j["activePowerMw"]!, 6);
                Assert.Equal(0, (long)j["allocatedBytesWhileMeasuring"]!);
                var csv = File.ReadAllLines(Path.Combine(dir, "t.csv"));
                Assert.Equal((int)j["samples"]! + 1, csv.Length);
                XDocument.Parse(File.ReadAllText(Path.Combine(dir, "t.svg")));

                var text = new StringWriter();
                Assert.Equal(0, new BenchVerb((b, a) => sim).Run(new[] { "--model", model, "--ina219", "1:0x40", "--shunt-ohms", "0.1",
                    "--iterations", "10", "--idle-seconds", "0.02", "--kernels", "reference" }, text, e));
                Assert.Contains("µJ/inference", text.ToString());
                Assert.Contains("p50", text.ToString());

                Assert.Equal(1, new BenchVerb((b, a) => sim).Run(new[] { "--model", model, "--ina219", "1:0x41" }, o, e));
                Assert.Equal(1, new BenchVerb((b, a) => sim).Run(new[] { "--model", model, "--ina219", "x", "--shunt-ohms", "0.1" }, o, e));
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
