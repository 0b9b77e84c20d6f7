using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Converter.Format;
using Edge.Converter.Ir;
using Edge.Converter.Planner;
using Edge.Pi.Cli;
using Edge.Pi.Drivers;
using Edge.Pi.Pipelines;
using Edge.Runtime;
using Xunit;

namespace Edge.Tests.Pi
{
    /// <summary>
    /// The IMU pipeline with the simulated MPU6050 and small IR-built models ([input →] RESHAPE → FULLY_CONNECTED):
    /// the window contents and their quantization against an independent computation, the model's output against
    /// a second interpreter fed the expected bytes, when it runs (every hop), and zero allocations per hop.
    /// </summary>
    public class ImuPipelineTests
    {
        private const float InScale = 0.05f;
        private const int InZp = 3;

        /// <summary>
        /// input (int8, or float32 followed by QUANTIZE) of <paramref name="shape"/> → RESHAPE [1, n] →
        /// FULLY_CONNECTED [1, 4] (int8, scale 0.1, zero point −5). Weights are a fixed pseudo-random pattern.
        /// </summary>
        public static byte[] BuildModel(int[] shape, bool floatInput = false)
        {
            int n = shape.Aggregate(1, (a, b) => a * b);
            var g = new EdgeGraph();
            int input = g.AddTensor(new EdgeTensor
            {
                Name = "imu", DType = floatInput ? DType.Float32 : DType.Int8, Shape = shape,
                Scales = floatInput ? null : new[] { InScale }, ZeroPoints = floatInput ? null : new[] { InZp },
            });
            int q = input;
            if (floatInput)
                q = g.AddTensor(new EdgeTensor { Name = "imu_q", DType = DType.Int8, Shape = shape, Scales = new[] { InScale }, ZeroPoints = new[] { InZp } });
            int flat = g.AddTensor(new EdgeTensor { Name = "flat", DType = DType.Int8, Shape = new[] { 1, n }, Scales = new[] { InScale }, ZeroPoints = new[] { InZp } });
            var w = new byte[4 * n];
            uint s = 12345;
            for (int i = 0; i < w.Length; i++) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; w[i] = (byte)s; }
            int weights = g.AddTensor(new EdgeTensor { Name = "fc/w", DType = DType.Int8, Shape = new[] { 4, n }, Scales = new[] { 0.01f }, ZeroPoints = new[] { 0 }, Data = w });
            var bias = new byte[16];
            int[] bv = { 300, -200, 50, 0 };
            for (int i = 0; i < 4; i++) BitConverter.TryWriteBytes(bias.AsSpan(4 * i), bv[i]);
            int b = g.AddTensor(new EdgeTensor { Name = "fc/b", DType = DType.Int32, Shape = new[] { 4 }, Data = bias });
            int output = g.AddTensor(new EdgeTensor { Name = "scores", DType = DType.Int8, Shape = new[] { 1, 4 }, Scales = new[] { 0.1f }, ZeroPoints = new[] { -5 } });
            g.Inputs.Add(input);
            g.Outputs.Add(output);
            if (floatInput)
                g.Ops.Add(new EdgeOp { Type = OpType.Quantize, Inputs = new[] { input }, Outputs = new[] { q }, Options = new AffineQuantizeOptions { Scale = InScale, ZeroPoint = InZp } });
            g.Ops.Add(new EdgeOp { Type = OpType.Reshape, Inputs = new[] { q }, Outputs = new[] { flat } });
            g.Ops.Add(new EdgeOp
            {
                Type = OpType.FullyConnected, Inputs = new[] { flat, weights, b }, Outputs = new[] { output },
                Options = new FullyConnectedOptions
                {
                    InputZeroPoint = InZp, OutputZeroPoint = -5, ActMin = -128, ActMax = 127,
                    OutputMultiplier = new[] { 1288490189, 1288490189, 1288490189, 1288490189 },
                    OutputShift = new[] { -9, -9, -9, -9 },
                },
                Macs = 4 * n,
            });
            g.Metadata = new EdgeMetadata
            {
                SourceFormat = "tflite", SourceFile = "imu test model (built in tests)", SourceSha256 = new string('0', 64),
                ConverterVersion = "test", Macs = 4 * n,
            };
            if (floatInput) g.Metadata.OpCounts.Add(new KeyValuePair<OpType, int>(OpType.Quantize, 1));
            g.Metadata.OpCounts.Add(new KeyValuePair<OpType, int>(OpType.Reshape, 1));
            g.Metadata.OpCounts.Add(new KeyValuePair<OpType, int>(OpType.FullyConnected, 1));
            MemoryPlanner.Plan(g);
            return EdgeWriter.Write(g);
        }

        /// <summary>The physical values of sample k: smooth motion, with some gyro values beyond the int8 range (clamping).</summary>
        private static void Motion(int k, double[] acc, double[] gyro)
        {
            acc[0] = 0.8 * Math.Sin(0.3 * k);
            acc[1] = 0.5 * Math.Cos(0.2 * k) - 0.1;
            acc[2] = 1.0 - 0.004 * k;
            gyro[0] = 3.0 * Math.Sin(0.1 * k);
            gyro[1] = -2.0 + 0.05 * k;
            gyro[2] = 40.0 * Math.Sin(k);
        }

        /// <summary>
        /// Independent computation of one window row: the device's register value (value × LSB/unit, rounded,
        /// clipped to int16 — what the simulated registers hold), back to units with the datasheet sensitivity
        /// (16384 LSB/g, 131 LSB/(°/s) at ±2 g / ±250 °/s), then TFLite's int8 quantization
        /// clamp(round-half-away(x / scale) + zp).
        /// </summary>
        private static void ExpectedRow(double[] acc, double[] gyro, int channels, float scale, int zp, bool asFloat, List<byte> into)
        {
            for (int c = 0; c < channels; c++)
            {
                double x = c < 3
                    ? Mpu6050Tests.SimMpu6050.ToRaw(acc[c], 16384.0) / 16384.0
                    : Mpu6050Tests.SimMpu6050.ToRaw(gyro[c - 3], 131.0) / 131.0;
                if (asFloat) { into.AddRange(BitConverter.GetBytes((float)x)); continue; }
                double r = Math.Round(x / scale, MidpointRounding.AwayFromZero) + zp;
                into.Add((byte)(sbyte)Math.Max(-128, Math.Min(127, r)));
            }
        }

        [Theory]
        [InlineData(new[] { 1, 8, 6 }, 6, 3, false)]
        [InlineData(new[] { 1, 10, 3, 1 }, 3, 4, false)]
        [InlineData(new[] { 1, 6, 1, 6 }, 6, 1, false)]
        [InlineData(new[] { 1, 8, 6 }, 6, 5, true)]
        public void WindowQuantizationAndOutputsMatchAnIndependentComputation(int[] shape, int channels, int hop, bool floatInput)
        {
            byte[] bytes = BuildModel(shape, floatInput);
            var model = EdgeModel.Load(bytes);
            var interp = new Interpreter(model, new byte[model.ArenaBytes]);
            var refModel = EdgeModel.Load(bytes);
            var refInterp = new Interpreter(refModel, new byte[refModel.ArenaBytes]);
            var pipeline = new ImuPipeline(interp, hop);
            int T = shape[1];
            Assert.Equal(T, pipeline.Layout.Window);
            Assert.Equal(channels, pipeline.Layout.Channels);

            var sim = new Mpu6050Tests.SimMpu6050();
            var imu = new Mpu6050(sim);
            imu.Configure(100, 3, AccelRange.G2, GyroRange.Dps250);
            float scale = model.Input(0).Type == DType.Int8 ? model.Input(0).Scale : InScale;
            var rows = new List<byte[]>();
            var s = new ImuSample();
            double[] acc = new double[3], gyro = new double[3];
            int runs = 0;
            var classes = new HashSet<int>();
            for (int k = 0; k < 60; k++)
            {
                Motion(k, acc, gyro);
                Array.Copy(acc, sim.Accel, 3);
                Array.Copy(gyro, sim.Gyro, 3);
                imu.Read(ref s);
                bool ran = pipeline.Push(s);
                var row = new List<byte>();
                ExpectedRow(acc, gyro, channels, scale, InZp, floatInput, row);
                rows.Add(row.ToArray());

                bool expectRun = k + 1 >= T && (k + 1 - T) % hop == 0;
                Assert.Equal(expectRun, ran);
                if (!ran) continue;
                runs++;
                byte[] window = rows.Skip(k + 1 - T).Take(T).SelectMany(r => r).ToArray();
                Assert.Equal(window, pipeline.LastInput.ToArray());

                refInterp.SetInput(0, window, 0);
                refInterp.Invoke();
                var outBytes = new byte[refInterp.Output(0).SizeBytes];
                refInterp.GetOutput(0, outBytes, 0);
                Assert.Equal(outBytes, pipeline.LastOutput.ToArray());
                var scores = outBytes.Select(v => ((sbyte)v - (-5)) * 0.1).ToArray();
                int top = Array.IndexOf(scores, scores.Max());
                Assert.Equal(top, pipeline.TopClass);
                Assert.Equal(scores[top], pipeline.TopScore, 5);
                classes.Add(top);
            }
            Assert.Equal((60 - T) / hop + 1, runs);
            Assert.True(classes.Count >= 2, "the motion moves the top class (the argmax check is not trivial)");
            Assert.Equal(runs, pipeline.Inferences);
        }

        [Fact]
        public void ZeroAllocationsPerSampleAndHop()
        {
            var model = EdgeModel.Load(BuildModel(new[] { 1, 8, 6 }));
            var pipeline = new ImuPipeline(new Interpreter(model, new byte[model.ArenaBytes]), hop: 1);
            var sim = new Mpu6050Tests.SimMpu6050();
            var imu = new Mpu6050(sim);
            imu.Configure();
            var s = new ImuSample();
            for (int k = 0; k < 20; k++) { Motion(k, sim.Accel, sim.Gyro); imu.Read(ref s); pipeline.Push(s); }
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 20; k < 520; k++) { Motion(k, sim.Accel, sim.Gyro); imu.Read(ref s); pipeline.Push(s); }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(0, allocated);
            Assert.Equal(520 - 8 + 1, pipeline.Inferences);
        }

        [Theory]
        [InlineData(new[] { 1, 8, 6 }, 0, 8, 6)]
        [InlineData(new[] { 1, 8, 6, 1 }, 0, 8, 6)]
        [InlineData(new[] { 1, 8, 1, 6 }, 0, 8, 6)]
        [InlineData(new[] { 1, 128, 3, 1 }, 0, 128, 3)]
        [InlineData(new[] { 1, 48 }, 6, 8, 6)]
        [InlineData(new[] { 1, 48 }, 3, 16, 3)]
        public void LayoutFromShape(int[] shape, int channels, int t, int c)
        {
            var l = ImuInputLayout.FromShape(shape, channels);
            Assert.Equal((t, c), (l.Window, l.Channels));
        }

        [Theory]
        [InlineData(new[] { 2, 8, 6 }, 0)]
        [InlineData(new[] { 1, 8, 5 }, 0)]
        [InlineData(new[] { 1, 8, 2, 3 }, 0)]
        [InlineData(new[] { 1, 48 }, 0)]
        [InlineData(new[] { 1, 50 }, 6)]
        [InlineData(new[] { 1, 8, 6 }, 3)]
        public void LayoutRejectsOtherShapes(int[] shape, int channels)
        {
            Assert.Throws<ArgumentException>(() => ImuInputLayout.FromShape(shape, channels));
        }

        /// <summary>Round half away from zero, then the zero point, then the int8 clamp (TFLite's quantize).</summary>
        [Theory]
        [InlineData(0.625, 0.25, 0, 3)]     // 2.5 → 3 (exact in binary)
        [InlineData(-0.625, 0.25, 0, -3)]   // −2.5 → −3
        [InlineData(0.375, 0.25, -1, 1)]    // 1.5 → 2, − 1
        [InlineData(0.124, 0.05, 3, 5)]     // 2.48 → 2, + 3
        [InlineData(100.0, 0.05, 3, 127)]
        [InlineData(-100.0, 0.05, 3, -128)]
        [InlineData(-6.55, 0.05, 3, -128)]  // −131 + 3
        public void QuantizeDefinition(double x, double scale, int zp, int expect)
        {
            Assert.Equal(expect, ImuPipeline.Quantize(x, scale, zp));
        }

        [Fact]
        public void ImuVerbRunsEndToEndWithTheSimulatedDevice()
        {
            string dir = Path.Combine(Path.GetTempPath(), "edge-pi-imu-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string path = Path.Combine(dir, "imu.edge");
                byte[] bytes = BuildModel(new[] { 1, 8, 6 });
                File.WriteAllBytes(path, bytes);
                var sim = new Mpu6050Tests.SimMpu6050();
                sim.Accel[2] = 1.0; sim.Gyro[0] = 2.0;      // the device at rest, tilted rotation: constant samples
                int bus = -1, addr = -1;
                var verb = new ImuVerb((b, a) => { bus = b; addr = a; return sim; });
                var o = new StringWriter(); var e = new StringWriter();
                int rc = verb.Run(new[] { "--model", path, "--bus", "3", "--address", "0x69", "--rate", "500", "--hop", "2", "--count", "3", "--kernels", "reference" }, o, e);
                Assert.True(rc == 0, e.ToString());
                Assert.Equal((3, 0x69), (bus, addr));
                Assert.Equal(1, sim.Regs[0x19]);             // 1 kHz / (1 + 1) = 500 Hz
                var lines = o.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains(" class ")).ToArray();
                Assert.Equal(3, lines.Length);

                // Constant samples: every window is the same row eight times; the class is the reference interpreter's argmax.
                var row = new List<byte>();
                ExpectedRow(new[] { 0.0, 0.0, 1.0 }, new[] { 2.0, 0.0, 0.0 }, 6, InScale, InZp, false, row);
                var window = Enumerable.Repeat(row, 8).SelectMany(r => r).ToArray();
                var m = EdgeModel.Load(bytes);
                var ip = new Interpreter(m, new byte[m.ArenaBytes]);
                ip.SetInput(0, window, 0);
                ip.Invoke();
                var ob = new byte[4];
                ip.GetOutput(0, ob, 0);
                var sc = ob.Select(v => ((sbyte)v + 5) * 0.1).ToArray();
                int top = Array.IndexOf(sc, sc.Max());
                foreach (var l in lines)
                {
                    Assert.Contains($"class {top}  score {sc[top].ToString("F4", System.Globalization.CultureInfo.InvariantCulture)}", l);
                }

                // A model whose input is not an IMU window: exit 2. A wrong device: DeviceException (Program maps it to 2).
                string bad = Path.Combine(dir, "bad.edge");
                File.WriteAllBytes(bad, TestModels.SmallModelBytes());
                Assert.Equal(2, new ImuVerb((b, a) => new Mpu6050Tests.SimMpu6050()).Run(new[] { "--model", bad, "--count", "1" }, o, e));
                Assert.Throws<DeviceException>(() => new ImuVerb((b, a) => new Mpu6050Tests.SimMpu6050(whoAmI: 0x71)).Run(new[] { "--model", path, "--count", "1" }, o, e));
                // Through Program.Run and the device factory (as on the board): the verb is found, a bad id is exit 2.
                var factory = new SimulatedDeviceFactory { I2c = (b, a) => new Mpu6050Tests.SimMpu6050(whoAmI: 0x71) };
                var e2 = new StringWriter();
                using (Edge.Pi.Linux.DeviceFactory.Override(factory))
                    Assert.Equal(2, Program.Run(new[] { "imu", "--model", path, "--count", "1", "--kernels", "reference" }, new StringWriter(), e2));
                Assert.Contains("WHO_AM_I", e2.ToString());
                Assert.Equal(new[] { "i2c 1 0x68" }, factory.Opened);
                factory = new SimulatedDeviceFactory { I2c = (b, a) => new Mpu6050Tests.SimMpu6050() };
                var o2 = new StringWriter();
                using (Edge.Pi.Linux.DeviceFactory.Override(factory))
                    Assert.Equal(0, Program.Run(new[] { "imu", "--model", path, "--count", "2", "--rate", "1000", "--hop", "1" }, o2, e2));
                Assert.Equal(2, o2.ToString().Split('\n').Count(l => l.Contains(" class ")));
                Assert.Contains(Program.Verbs, v => v.Name == "bench");
                Assert.Equal(1, new ImuVerb((b, a) => sim).Run(new[] { "--model", path, "--rate", "5000" }, o, e));
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
