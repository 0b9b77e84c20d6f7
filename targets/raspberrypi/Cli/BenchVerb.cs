using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Kernels.Simd;
using Edge.Pi.Devices;
using Edge.Pi.Drivers;
using Edge.Pi.Energy;
using Edge.Runtime;

namespace Edge.Pi.Cli
{
    /// <summary>
    /// <c>edge-pi bench --model M.edge --ina219 BUS:ADDR --shunt-ohms R [--max-amps A] [--iterations N]
    /// [--idle-seconds S] [--rate HZ] [--csv trace.csv] [--plot trace.svg] [--kernels K] [--json]</c>:
    /// energy per inference with an INA219 on the supply (see Energy/EnergyMeter.cs).
    /// </summary>
    public sealed class BenchVerb : IPiVerb
    {
        private readonly Func<int, int, I2cDevice> _openI2c;

        public BenchVerb() : this((bus, addr) => Edge.Pi.Linux.DeviceFactory.Current.OpenI2c(bus, addr)) { }

        /// <summary>For tests: <paramref name="openI2c"/>(bus, address) opens the INA219's device.</summary>
        public BenchVerb(Func<int, int, I2cDevice> openI2c) { _openI2c = openI2c; }

        public string Name => "bench";
        public string Usage => "bench --model M.edge --ina219 BUS:ADDR --shunt-ohms R [--max-amps A] [--iterations N] [--idle-seconds S] [--rate HZ] [--csv trace.csv] [--plot trace.svg] [--kernels K] [--json]";

        public int Run(string[] args, TextWriter stdout, TextWriter stderr)
        {
            var inv = CultureInfo.InvariantCulture;
            SensorVerbArgs a;
            string modelPath, inaSpec;
            double shunt, maxAmps, idle, rate;
            int iterations;
            bool json;
            try
            {
                a = new SensorVerbArgs(args, flags: new[] { "json" });
                modelPath = a.Required("model");
                inaSpec = a.Required("ina219");
                shunt = a.Double("shunt-ohms", double.NaN);
                if (!(shunt > 0)) throw new UsageError("--shunt-ohms R (the shunt resistance in ohms, > 0) is required");
                maxAmps = a.Double("max-amps", 0.32 / shunt);
                if (!(maxAmps > 0)) throw new UsageError("--max-amps must be positive");
                iterations = a.Int("iterations", 500);
                if (iterations < 1) throw new UsageError("--iterations must be at least 1");
                idle = a.Double("idle-seconds", 2.0);
                if (!(idle > 0)) throw new UsageError("--idle-seconds must be positive");
                rate = a.Double("rate", 500);
                if (!(rate > 0) || rate > 20000) throw new UsageError("--rate must be in (0, 20000] Hz");
                json = a.Flag("json");
                a.CheckAllUsed();
            }
            catch (UsageError e)
            {
                stderr.WriteLine($"edge-pi bench: {e.Message}");
                stderr.WriteLine("usage: edge-pi " + Usage);
                return Program.ExitUsage;
            }
            int bus, address;
            try { (bus, address) = SensorVerbArgs.ParseBusAddress(inaSpec); }
            catch (UsageError e) { stderr.WriteLine($"edge-pi bench: --ina219: {e.Message}"); return Program.ExitUsage; }

            EdgeModel model;
            string kernels;
            try { (model, kernels) = SensorVerbArgs.LoadModel(modelPath, a.Option("kernels") ?? "auto"); }
            catch (UsageError e) { stderr.WriteLine($"edge-pi bench: {e.Message}"); return Program.ExitUsage; }

            var interp = new Interpreter(model, new byte[model.ArenaBytes]);
            SensorVerbArgs.FillDeterministicInputs(interp);
            // Warm-up (JIT, caches) and a latency estimate to size the trace.
            long w0 = Stopwatch.GetTimestamp();
            int warm = 0;
            do { interp.Invoke(); warm++; } while (warm < 10 || (warm < 1000 && Stopwatch.GetTimestamp() - w0 < Stopwatch.Frequency / 5));
            double estSeconds = (Stopwatch.GetTimestamp() - w0) / (double)Stopwatch.Frequency / warm * iterations;

            Ina219 ina;
            using var dev = _openI2c(bus, address);
            ina = new Ina219(dev);
            try { ina.Configure(shunt, maxAmps); }
            catch (ArgumentOutOfRangeException e) { stderr.WriteLine($"edge-pi bench: {e.Message}"); return Program.ExitUsage; }

            var trace = new EnergyTrace(EnergyMeter.CapacityFor(rate, idle + 2 * estSeconds + 2.0), iterations);
            var sensor = new Ina219PowerSensor(ina);
            new EnergyMeter(sensor, trace, rate).Run(interp.Invoke, iterations, idle);
            EnergyReport r = EnergyMath.Analyze(trace);

            var warnings = new List<string>();
            if (r.Truncated) warnings.Add("the sample buffer filled before the end; the trace is cut short");
            if (r.OverflowSamples > 0) warnings.Add($"{r.OverflowSamples} samples overflowed the INA219's range (raise --max-amps or use a smaller shunt)");
            if (r.AchievedRateHz < 0.9 * rate) warnings.Add($"sampled at {r.AchievedRateHz:F0} Hz, below the {rate:F0} Hz asked for (I2C too slow or the CPU busy)");
            if (r.ActiveSeconds < 20 * r.MaxSampleIntervalS) warnings.Add($"the inference window ({r.ActiveSeconds * 1000:F1} ms) spans fewer than 20 sample intervals; raise --iterations for a stable energy");
            if (trace.MainAllocatedBytes != 0 || trace.SamplerAllocatedBytes != 0) warnings.Add($"allocated while measuring: {trace.MainAllocatedBytes} B (inferences), {trace.SamplerAllocatedBytes} B (sampler)");

            if (a.Option("csv") is string csv)
                using (var w = new StreamWriter(csv)) TraceWriter.WriteCsv(trace, w);
            if (a.Option("plot") is string svg)
                using (var w = new StreamWriter(svg)) TraceWriter.WriteSvg(trace, r, w, Path.GetFileName(modelPath));

            if (json)
            {
                var warr = new JsonArray();
                foreach (var s in warnings) warr.Add(s);
                var o = new JsonObject
                {
                    ["model"] = modelPath,
                    ["kernels"] = kernels,
                    ["iterations"] = r.Inferences,
                    ["uJPerInference"] = r.MicrojoulesPerInference,
                    ["idlePowerMw"] = r.IdlePowerW * 1000,
                    ["activePowerMw"] = r.ActivePowerW * 1000,
                    ["activeEnergyMj"] = r.ActiveEnergyJ * 1000,
                    ["idleSeconds"] = r.IdleSeconds,
                    ["activeSeconds"] = r.ActiveSeconds,
                    ["p50Ms"] = r.P50Ms, ["p90Ms"] = r.P90Ms, ["p99Ms"] = r.P99Ms,
                    ["meanMs"] = r.MeanMs, ["minMs"] = r.MinMs, ["maxMs"] = r.MaxMs,
                    ["samples"] = r.Samples,
                    ["rateHz"] = rate,
                    ["achievedRateHz"] = r.AchievedRateHz,
                    ["busVolts"] = r.MeanBusVolts,
                    ["shuntOhms"] = shunt,
                    ["currentLsbA"] = ina.CurrentLsb,
                    ["calibration"] = ina.Calibration,
                    ["overflowSamples"] = r.OverflowSamples,
                    ["allocatedBytesWhileMeasuring"] = trace.MainAllocatedBytes + trace.SamplerAllocatedBytes,
                    ["warnings"] = warr,
                };
                stdout.WriteLine(o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                stdout.WriteLine($"{modelPath}: {r.Inferences} inferences, kernels: {kernels}; INA219 bus {bus} 0x{address:x2}, shunt {shunt.ToString("G4", inv)} Ω, Current_LSB {(ina.CurrentLsb * 1e6).ToString("G5", inv)} µA, Cal {ina.Calibration}");
                stdout.WriteLine($"energy       {r.MicrojoulesPerInference.ToString("F2", inv)} µJ/inference (above idle)");
                stdout.WriteLine($"power        idle {(r.IdlePowerW * 1000).ToString("F1", inv)} mW over {r.IdleSeconds.ToString("F2", inv)} s, active {(r.ActivePowerW * 1000).ToString("F1", inv)} mW over {r.ActiveSeconds.ToString("F3", inv)} s, bus {r.MeanBusVolts.ToString("F3", inv)} V");
                stdout.WriteLine($"latency ms   p50 {r.P50Ms.ToString("F3", inv)}  p90 {r.P90Ms.ToString("F3", inv)}  p99 {r.P99Ms.ToString("F3", inv)}  mean {r.MeanMs.ToString("F3", inv)}");
                stdout.WriteLine($"samples      {r.Samples} at {r.AchievedRateHz.ToString("F0", inv)} Hz (asked {rate.ToString("F0", inv)} Hz), longest gap {(r.MaxSampleIntervalS * 1000).ToString("F2", inv)} ms");
                foreach (var s in warnings) stderr.WriteLine("edge-pi bench: warning: " + s);
            }
            return Program.ExitOk;
        }
    }

    /// <summary>A usage error in a sensor verb's arguments (exit 1).</summary>
    internal sealed class UsageError : Exception
    {
        public UsageError(string message) : base(message) { }
    }

    /// <summary>--name value options and --flag switches, shared by the bench and imu verbs.</summary>
    internal sealed class SensorVerbArgs
    {
        private readonly Dictionary<string, string> _opts = new(StringComparer.Ordinal);
        private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);

        public SensorVerbArgs(string[] args, string[] flags)
        {
            var flagSet = new HashSet<string>(flags, StringComparer.Ordinal);
            for (int i = 0; i < args.Length; i++)
            {
                string s = args[i];
                if (!s.StartsWith("--", StringComparison.Ordinal) || s.Length == 2) throw new UsageError($"unexpected argument '{s}'");
                string name = s.Substring(2);
                if (flagSet.Contains(name)) { _flags.Add(name); continue; }
                if (i + 1 >= args.Length) throw new UsageError($"--{name} needs a value");
                if (_opts.ContainsKey(name)) throw new UsageError($"--{name} given twice");
                _opts[name] = args[++i];
            }
        }

        public string Option(string name) { _used.Add(name); return _opts.TryGetValue(name, out var v) ? v : null; }
        public bool Flag(string name) => _flags.Contains(name);

        public string Required(string name) => Option(name) ?? throw new UsageError($"--{name} is required");

        public double Double(string name, double dflt)
        {
            string v = Option(name);
            if (v == null) return dflt;
            if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || double.IsNaN(d) || double.IsInfinity(d))
                throw new UsageError($"--{name}: '{v}' is not a number");
            return d;
        }

        public int Int(string name, int dflt)
        {
            string v = Option(name);
            if (v == null) return dflt;
            if (!TryParseInt(v, out int n)) throw new UsageError($"--{name}: '{v}' is not an integer");
            return n;
        }

        /// <summary>Throws for an option no one asked for (call after reading all options, except late ones listed).</summary>
        public void CheckAllUsed(params string[] late)
        {
            foreach (var k in _opts.Keys)
                if (!_used.Contains(k) && Array.IndexOf(late, k) < 0 && k != "kernels" && k != "csv" && k != "plot")
                    throw new UsageError($"unknown option --{k}");
        }

        /// <summary>Decimal or 0x-prefixed hexadecimal.</summary>
        public static bool TryParseInt(string s, out int v)
        {
            if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                return int.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out v);
            return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v);
        }

        /// <summary>"BUS:ADDR", e.g. "1:0x40" or "1:64".</summary>
        public static (int bus, int address) ParseBusAddress(string s)
        {
            int colon = s.IndexOf(':');
            if (colon <= 0 || !TryParseInt(s.Substring(0, colon), out int bus) || bus < 0 ||
                !TryParseInt(s.Substring(colon + 1), out int addr) || addr < 0x03 || addr > 0x77)
                throw new UsageError($"'{s}': expected BUS:ADDR, e.g. 1:0x40 (7-bit address 0x03..0x77)");
            return (bus, addr);
        }

        /// <summary>Loads a model with --kernels K (reference, portable, x86, neon-model, neon, auto).</summary>
        public static (EdgeModel model, string kernels) LoadModel(string path, string kernels)
        {
            KernelSetKind set;
            try { set = KernelCatalog.Parse(kernels); }
            catch (ArgumentException e) { throw new UsageError(e.Message); }
            if (!KernelCatalog.IsSupported(set)) throw new UsageError($"--kernels {kernels}: not supported on this CPU");
            byte[] bytes = File.ReadAllBytes(path);
            if (set == KernelSetKind.Reference) return (EdgeModel.Load(bytes), "reference");
            var provider = new SimdKernelProvider(set);
            return (EdgeModel.Load(bytes, provider), provider.Name);
        }

        /// <summary>Deterministic pseudo-random inputs (xorshift; the values do not change the timing), as `edge bench`.</summary>
        public static void FillDeterministicInputs(Interpreter interp)
        {
            uint s = 0x9E3779B9;
            for (int i = 0; i < interp.InputCount; i++)
            {
                var t = interp.Input(i);
                var buf = new byte[t.SizeBytes];
                if (t.Type == DType.Float32)
                    for (int k = 0; k < t.ElementCount; k++) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; BitConverter.TryWriteBytes(buf.AsSpan(4 * k), (s % 2001) / 1000f - 1f); }
                else
                    for (int k = 0; k < buf.Length; k++) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; buf[k] = (byte)s; }
                interp.SetInput(i, buf, 0);
            }
        }
    }
}
