using System;
using System.IO;
using System.Linq;
using Edge.Converter.Cli;
using Edge.Converter.Conversion;
using Edge.Kernels.Simd;
using Edge.Runtime;
using Xunit;

namespace Edge.Tests.Runtime
{
    /// <summary>edge convert --embed-test + Interpreter.SelfTest(): a model verified on the device it runs on.</summary>
    public class SelfTestTests
    {
        private static byte[] ConvertWithSelfTest(string caseName, out byte[] input)
        {
            string dir = SharedData.Tflite(caseName);
            var c = Conformance.ConformanceCase.Load(caseName);
            input = Npy.Read(c.Inputs[0].Files[0]).Data;
            return ModelConverter.Convert(File.ReadAllBytes(Path.Combine(dir, "model.tflite")), "model.tflite", new[] { input }).FileBytesData;
        }

        [SharedDataFact]
        public void EmbeddedSelfTestPassesWithEveryKernelSet()
        {
            byte[] file = ConvertWithSelfTest("ad01_int8", out var input);
            var c = Conformance.ConformanceCase.Load("ad01_int8");
            // The stored expected output is TFLite Micro's output for that input (the reference kernels are exact).
            var expected = Npy.Read(c.Inputs[0].Expected[0]).Data;
            var model = EdgeModel.Load(file);
            Assert.True(model.HasSelfTest);
            Assert.Equal(expected, file.AsSpan(model.SelfTestOutputOffsets[0], expected.Length).ToArray());
            var result = new Interpreter(model, new byte[model.ArenaBytes]).SelfTest();
            Assert.True(result.Passed, result.ToString());
            Assert.Equal(expected.Length, result.BytesCompared);
            foreach (var set in new[] { KernelSetKind.Portable, KernelSetKind.X86, KernelSetKind.NeonModel })
            {
                if (!KernelCatalog.IsSupported(set)) continue;
                var m = EdgeModel.Load(file, new SimdKernelProvider(set));
                var r = new Interpreter(m, new byte[m.ArenaBytes]).SelfTest();
                Assert.True(r.Passed, $"{set}: {r}");
            }
        }

        [SharedDataFact]
        public void CorruptedWeightsFailTheSelfTestAndNameTheFirstByte()
        {
            byte[] file = ConvertWithSelfTest("ad01_int8", out _);
            var model = EdgeModel.Load(file);
            // Corrupt the largest weight tensor: every weight of its first row becomes 127.
            var w = model.Tensors.Where(t => t.IsConstant && t.Type == DType.Int8).OrderByDescending(t => t.SizeBytes).First();
            int row = w.Shape[^1];
            for (int k = 0; k < row; k++) file[w.DataOffset + k] = 127;
            var bad = EdgeModel.Load(file);   // still a valid file: only values changed
            var r = new Interpreter(bad, new byte[bad.ArenaBytes]).SelfTest();
            Assert.True(r.Present);
            Assert.False(r.Passed);
            Assert.True(r.ByteIndex >= 0 && r.Expected != r.Actual);
            Assert.Contains("FAILED", r.ToString());
        }

        [Fact]
        public void ModelWithoutSelfTestReportsItIsAbsent()
        {
            var model = EdgeModel.Load(TestModels.SmallModelBytes());
            Assert.False(model.HasSelfTest);
            var r = new Interpreter(model, new byte[model.ArenaBytes]).SelfTest();
            Assert.False(r.Present);
            Assert.False(r.Passed);
        }

        [Fact]
        public void SelfTestRoundTripsThroughTheWriterOnTheIrModel()
        {
            var g = TestModels.BuildSmallGraph();
            Converter.Planner.MemoryPlanner.Plan(g);
            var plain = EdgeModel.Load(Converter.Format.EdgeWriter.Write(g));
            var interp = new Interpreter(plain, new byte[plain.ArenaBytes]);
            var input = Enumerable.Range(0, plain.Input(0).SizeBytes).Select(i => (byte)(i * 37)).ToArray();
            interp.SetInput(0, input, 0);
            interp.Invoke();
            var output = new byte[plain.Output(0).SizeBytes];
            interp.GetOutput(0, output, 0);
            g.SelfTest = new Converter.Ir.EdgeSelfTest();
            g.SelfTest.Inputs.Add(input);
            g.SelfTest.Outputs.Add(output);
            var withTest = EdgeModel.Load(Converter.Format.EdgeWriter.Write(g));
            Assert.True(new Interpreter(withTest, new byte[withTest.ArenaBytes]).SelfTest().Passed);
            // A wrong expected output is caught at its first byte.
            output[0] ^= 1;
            var wrong = EdgeModel.Load(Converter.Format.EdgeWriter.Write(g));
            var r = new Interpreter(wrong, new byte[wrong.ArenaBytes]).SelfTest();
            Assert.False(r.Passed);
            Assert.Equal(0, r.Output);
            Assert.Equal(0, r.ByteIndex);
        }
    }
}
