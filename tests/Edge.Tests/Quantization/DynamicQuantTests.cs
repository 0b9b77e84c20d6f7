using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Converter.Onnx;
using Edge.Converter.Quantization;
using Edge.Kernels.Reference;
using Edge.Runtime;
using Edge.Tests.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Quantization
{
    /// <summary>
    /// edge convert --dynamic: DYNAMIC_CONV_2D / DYNAMIC_FULLY_CONNECTED. The quantization step against ONNX's own
    /// DynamicQuantizeLinear node tests; each op against a straightforward computation of the definitions here
    /// (ONNX layout, no Edge code): DynamicQuantizeLinear, per-channel symmetric weights, int32 sums, float output.
    /// </summary>
    public class DynamicQuantTests
    {
        private readonly ITestOutputHelper _log;
        public DynamicQuantTests(ITestOutputHelper log) { _log = log; }

        [OnnxReaderTests.OnnxTestDataFact]
        public void QuantizeStepReproducesOnnxDynamicQuantizeLinearNodeTests()
        {
            int sets = 0;
            foreach (var name in new[] { "test_dynamicquantizelinear", "test_dynamicquantizelinear_max_adjusted", "test_dynamicquantizelinear_min_adjusted" })
            {
                foreach (var set in Directory.GetDirectories(Path.Combine(OnnxReaderTests.NodeTests, name), "test_data_set_*"))
                {
                    var x = OnnxReader.ReadTensor(File.ReadAllBytes(Path.Combine(set, "input_0.pb"))).AsFloats();
                    var y = OnnxReader.ReadTensor(File.ReadAllBytes(Path.Combine(set, "output_0.pb")));
                    var scale = OnnxReader.ReadTensor(File.ReadAllBytes(Path.Combine(set, "output_1.pb"))).AsFloats();
                    var zp = OnnxReader.ReadTensor(File.ReadAllBytes(Path.Combine(set, "output_2.pb"))).AsInt64s();
                    Assert.Equal(OnnxDataType.UInt8, y.DataType);
                    var input = new byte[4 * x.Length];
                    Buffer.BlockCopy(x, 0, input, 0, input.Length);
                    var q = new byte[x.Length + 3];
                    var zpOut = new int[1];
                    float s = DynamicQuant.Quantize(input, 0, x.Length, q, 3, zpOut);
                    Assert.Equal(scale[0], s);
                    Assert.Equal(zp[0], zpOut[0]);
                    Assert.Equal(y.AsInt64s().Select(v => (byte)v).ToArray(), q.Skip(3).ToArray());
                    sets++;
                }
            }
            Assert.Equal(3, sets);
        }

        // ---- The definitions, computed directly (ONNX layouts) ----------------------------------------------

        private static float RoundEven(float v) => (float)Math.Round((double)v, MidpointRounding.ToEven);

        /// <summary>ONNX DynamicQuantizeLinear (uint8), float32 arithmetic; ONNX Runtime's scale 1 for an all-zero input.</summary>
        private static (byte[] q, float scale, int zp) DynamicQuantizeLinear(float[] x)
        {
            float min = Math.Min(0f, x.Min()), max = Math.Max(0f, x.Max());
            float scale = max == min ? 1f : (max - min) / 255f;
            int zp = (int)RoundEven(Math.Clamp(0f - min / scale, 0f, 255f));
            var q = x.Select(v => (byte)Math.Clamp(RoundEven(v / scale) + zp, 0, 255)).ToArray();
            return (q, scale, zp);
        }

        /// <summary>Symmetric int8 weights per slice of axis 0 of the given [rows, inner] layout: scale = max|w| / 127.</summary>
        private static (sbyte[] q, float[] scale) SymmetricRows(float[] w, int rows)
        {
            int inner = w.Length / rows;
            var s = new float[rows];
            var q = new sbyte[w.Length];
            for (int r = 0; r < rows; r++)
            {
                float m = 0;
                for (int i = 0; i < inner; i++) m = Math.Max(m, Math.Abs(w[r * inner + i]));
                s[r] = m == 0 ? 1f : (float)(2.0 * m / 254.0);
                for (int i = 0; i < inner; i++) q[r * inner + i] = (sbyte)Math.Clamp(RoundEven(w[r * inner + i] / s[r]), -127, 127);
            }
            return (q, s);
        }

        private static float Out(int acc, float xs, float ws, float bias, float lo, float hi) =>
            Math.Clamp((float)((float)acc * (float)(xs * ws)) + bias, lo, hi);

        private static float[] Run(OnnxModel m, float[] x)
        {
            var bytes = ModelConverterDynamic(m);
            var em = EdgeModel.Load(bytes);
            var interp = new Interpreter(em, new byte[em.ArenaBytes]);
            var inBytes = new byte[x.Length * 4];
            Buffer.BlockCopy(x, 0, inBytes, 0, inBytes.Length);
            interp.SetInput(0, inBytes, 0);
            interp.Invoke();
            var outBytes = new byte[em.Output(0).SizeBytes];
            interp.GetOutput(0, outBytes, 0);
            var y = new float[outBytes.Length / 4];
            Buffer.BlockCopy(outBytes, 0, y, 0, outBytes.Length);
            return y;
        }

        private static byte[] ModelConverterDynamic(OnnxModel m) =>
            Edge.Converter.Conversion.ModelConverter.Convert(FloatGraphPrep.Prepare(m), "test.onnx", null, null, new OnnxImportOptions { Dynamic = true }).FileBytesData;

        private static float[] Floats(Random r, int n, double lo, double hi) => Enumerable.Range(0, n).Select(_ => (float)(lo + (hi - lo) * r.NextDouble())).ToArray();

        [Theory]
        [InlineData(1, 1, false, 0)]   // plain, 3×3, pads 1, stride 1
        [InlineData(2, 1, true, 1)]    // stride 2, fused Relu
        [InlineData(1, 2, true, 2)]    // groups, fused Clip(−0.5, 0.7), no bias
        public void DynamicConvEqualsTheDefinition(int stride, int group, bool act, int seed)
        {
            const int n = 1, c = 4, h = 7, w = 6, o = 6, k = 3, pad = 1;
            int ipg = c / group, opg = o / group;
            var rng = new Random(seed);
            var b = new FloatModels.Builder(seed);
            var x = b.Input("x", n, c, h, w);
            var wf = Floats(rng, o * ipg * k * k, -1, 1);
            var bias = seed == 2 ? null : Floats(rng, o, -0.5, 0.5);
            var inputs = new List<string> { x, b.Const(wf, o, ipg, k, k) };
            if (bias != null) inputs.Add(b.Const(bias, o));
            var y = b.Node("Conv", inputs.ToArray(), ("pads", new long[] { pad, pad, pad, pad }), ("strides", new long[] { stride, stride }), ("group", (long)group));
            float lo = float.NegativeInfinity, hi = float.PositiveInfinity;
            if (act && seed == 1) { y = b.Node("Relu", new[] { y }); lo = 0; }
            if (act && seed == 2) { y = b.Node("Clip", new[] { y, b.Const(new[] { -0.5f }), b.Const(new[] { 0.7f }) }); lo = -0.5f; hi = 0.7f; }
            b.Output(y);
            var xf = Floats(rng, n * c * h * w, -2, 3);
            var got = Run(b.Model, xf);

            var (xq, xs, zp) = DynamicQuantizeLinear(xf);
            var (wq, ws) = SymmetricRows(wf, o);   // OIHW: axis 0 rows
            int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
            Assert.Equal(n * o * oh * ow, got.Length);   // NCHW, as the ONNX output
            double sig = 0, err = 0;
            for (int oc = 0; oc < o; oc++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        int acc = 0;
                        double fsum = 0;
                        int g = oc / opg;
                        for (int ic = 0; ic < ipg; ic++)
                            for (int ky = 0; ky < k; ky++)
                                for (int kx = 0; kx < k; kx++)
                                {
                                    int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    int xi = ((g * ipg + ic) * h + iy) * w + ix, wi = ((oc * ipg + ic) * k + ky) * k + kx;
                                    acc += (xq[xi] - zp) * wq[wi];
                                    fsum += (double)xf[xi] * wf[wi];
                                }
                        float expected = Out(acc, xs, ws[oc], bias == null ? 0f : bias[oc], lo, hi);
                        float actual = got[(oc * oh + oy) * ow + ox];
                        Assert.Equal(expected, actual);
                        double fy = Math.Clamp(fsum + (bias == null ? 0 : bias[oc]), lo, hi);
                        sig += fy * fy; err += (fy - actual) * (fy - actual);
                    }
            double sqnr = 10 * Math.Log10(sig / err);
            _log.WriteLine($"stride {stride} group {group}: SQNR vs float conv {sqnr:F1} dB");
            Assert.True(sqnr > 25, $"SQNR {sqnr:F1} dB");   // 8-bit input and weights: far from float means wrong wiring
        }

        [Theory]
        [InlineData(true, 0)]    // Gemm transB = 1 with bias C, fused Relu
        [InlineData(false, 1)]   // MatMul [2, 3, K] × [K, N]
        public void DynamicFullyConnectedEqualsTheDefinition(bool gemm, int seed)
        {
            const int kk = 20, nn = 7;
            int rows = gemm ? 2 : 6;
            var rng = new Random(seed + 10);
            var b = new FloatModels.Builder(seed);
            var x = gemm ? b.Input("x", 2, kk) : b.Input("x", 2, 3, kk);
            var wf = Floats(rng, kk * nn, -1, 1);   // Gemm transB: [N, K]; MatMul: [K, N]
            var bias = Floats(rng, nn, -1, 1);
            string y;
            float lo = float.NegativeInfinity;
            if (gemm)
            {
                y = b.Node("Gemm", new[] { x, b.Const(wf, nn, kk), b.Const(bias, nn) }, ("transB", 1L));
                y = b.Node("Relu", new[] { y });
                lo = 0;
            }
            else y = b.Node("MatMul", new[] { x, b.Const(wf, kk, nn) });
            b.Output(y);
            var xf = Floats(rng, rows * kk, -1, 2);
            var got = Run(b.Model, xf);

            // weights as [N, K] rows, per N
            var wnk = new float[nn * kk];
            for (int c = 0; c < nn; c++) for (int i = 0; i < kk; i++) wnk[c * kk + i] = gemm ? wf[c * kk + i] : wf[i * nn + c];
            var (wq, ws) = SymmetricRows(wnk, nn);
            var (xq, xs, zp) = DynamicQuantizeLinear(xf);
            Assert.Equal(rows * nn, got.Length);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < nn; c++)
                {
                    int acc = 0;
                    for (int i = 0; i < kk; i++) acc += (xq[r * kk + i] - zp) * wq[c * kk + i];
                    Assert.Equal(Out(acc, xs, ws[c], gemm ? bias[c] : 0f, lo, float.PositiveInfinity), got[r * nn + c]);
                }
        }

        [Fact]
        public void FloatMaxPoolEqualsTheFloatExecutor()
        {
            // MaxPool with padding and stride (float32 MAX_POOL_2D between NCHW<->NHWC transposes); a maximum is exact.
            var b = new FloatModels.Builder(3);
            var x = b.Input("x", 1, 3, 7, 8);
            var p = b.Node("MaxPool", new[] { x }, ("kernel_shape", new long[] { 3, 2 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 0, 1, 1 }));
            b.Output(p);
            var rng = new Random(5);
            var xf = Floats(rng, 3 * 7 * 8, -3, 1);
            var got = Run(b.Model, xf);
            var expected = new FloatExecutor(b.Model).Run(new Dictionary<string, FloatTensor> { ["x"] = new FloatTensor(new[] { 1, 3, 7, 8 }, xf) })[p].F;
            Assert.Equal(3 * 4 * 4, expected.Length);   // H (7+2-3)/2+1, W (8+1-2)/2+1
            Assert.Equal(expected, got);
        }

        /// <summary>The verifier on corrupted --dynamic files: every random corruption is rejected at load, or loads and runs one inference cleanly.</summary>
        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void RandomCorruptionsAreRejectedOrRunCleanly(int seed)
        {
            byte[] good = ModelConverterDynamic(FloatModels.SmallCnn());
            var (rejected, loaded) = Corruption.RejectOrRun(good, seed);
            _log.WriteLine($"{rejected} rejected, {loaded} loaded and ran");
            Assert.True(rejected > 0 && rejected + loaded == 400);
        }

        [Fact]
        public void AllZeroInputQuantizesWithScaleOne()
        {
            var input = new byte[4 * 5];
            var q = new byte[5];
            var zp = new int[] { -1 };
            Assert.Equal(1f, DynamicQuant.Quantize(input, 0, 5, q, 0, zp));
            Assert.Equal(0, zp[0]);
            Assert.All(q, v => Assert.Equal(0, v));
        }
    }
}
