using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Edge.Converter.Cli;
using Edge.Converter.Conversion;
using Edge.Converter.Onnx;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Samples
{
    /// <summary>
    /// samples/fashion-mnist: the project's own Fashion-MNIST CNN (make_demo.py: trained with PyTorch, exported as
    /// float ONNX and, quantized by torch.ao.quantization with the qnnpack engine, as QDQ ONNX), 200 test images with
    /// labels, and ONNX Runtime's outputs on them (bench/ort/ort-reference.mjs). The committed files must agree with
    /// each other; Edge's output on the QDQ model must equal ORT's byte for byte.
    /// </summary>
    public class FashionMnistDemoTests
    {
        private readonly ITestOutputHelper _log;
        public FashionMnistDemoTests(ITestOutputHelper log) { _log = log; }

        private const int Images = 200, Classes = 10, PerClass = 20, Pixels = 28 * 28;
        private static string Dir => Path.Combine(SharedData.RepoRoot, "samples", "fashion-mnist");
        private static string PathOf(string name) => Path.Combine(Dir, name);

        private static NpyArray Npy(string name, DType dtype, params int[] shape)
        {
            var a = Edge.Converter.Cli.Npy.Read(PathOf(name));
            Assert.Equal(dtype, a.DType);
            Assert.Equal(shape, a.Shape);
            return a;
        }

        private static JsonNode Json(string name) => JsonNode.Parse(File.ReadAllText(PathOf(name)));

        private static float[] Floats(NpyArray a)
        {
            var r = new float[a.Data.Length / 4];
            Buffer.BlockCopy(a.Data, 0, r, 0, a.Data.Length);
            return r;
        }

        private static int[] Argmax(float[] logits)
        {
            var p = new int[logits.Length / Classes];
            for (int i = 0; i < p.Length; i++)
                for (int j = 1; j < Classes; j++)
                    if (logits[i * Classes + j] > logits[i * Classes + p[i]]) p[i] = j;
            return p;
        }

        private static string Sha256(string name) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(PathOf(name)))).ToLowerInvariant();

        [Fact]
        public void CommittedImagesAndLabelsAreTwentyOfEachClassInTheDocumentedPreprocessing()
        {
            var u8 = Npy("test_images_u8.npy", DType.UInt8, Images, 1, 28, 28);
            var f32 = Floats(Npy("test_images_f32.npy", DType.Float32, Images, 1, 28, 28));
            var labels = Npy("test_labels.npy", DType.UInt8, Images).Data;
            // The model's input is pixel / 255 in float32 (README.md), the same bits in .NET as in NumPy.
            for (int i = 0; i < u8.Data.Length; i++)
                Assert.True(f32[i] == u8.Data[i] / 255f, $"element {i}: {f32[i]} is not {u8.Data[i]} / 255");
            for (int c = 0; c < Classes; c++)
                Assert.Equal(PerClass, labels.Count(l => l == c));
            // 200 distinct images from the test set, in test-set order.
            var indices = Json("make_demo.json")["test_set_indices"]!.AsArray().Select(n => (int)n!).ToArray();
            Assert.Equal(Images, indices.Length);
            Assert.True(indices.Zip(indices.Skip(1)).All(p => p.First < p.Second), "test_set_indices must be increasing");
            Assert.All(indices, i => Assert.InRange(i, 0, 9999));
            var distinct = Enumerable.Range(0, Images).Select(i => Convert.ToHexString(u8.Data, i * Pixels, Pixels)).Distinct().Count();
            Assert.Equal(Images, distinct);
        }

        [Fact]
        public void OrtOutputsAreRecordedForEveryImageAndMatchTheRecordedPredictions()
        {
            var labels = Npy("test_labels.npy", DType.UInt8, Images).Data.Select(b => (int)b).ToArray();
            var ortFloat = Floats(Npy("ort_float_logits.npy", DType.Float32, Images, Classes));
            var ortQdq = Floats(Npy("ort_qdq_logits.npy", DType.Float32, Images, Classes));
            var ortQdqU8 = Npy("ort_qdq_output_u8.npy", DType.UInt8, Images, Classes).Data;
            var torchInt8 = Floats(Npy("torch_int8_logits.npy", DType.Float32, Images, Classes));
            Npy("torch_float_logits.npy", DType.Float32, Images, Classes);
            var rep = Json("ort_reference.json")!;
            var made = Json("make_demo.json")!;

            Assert.All(ortFloat.Concat(ortQdq), v => Assert.True(float.IsFinite(v)));
            Assert.Equal(labels, rep["labels"]!.AsArray().Select(n => (int)n!).ToArray());
            int[] predFloat = rep["predictions_float"]!.AsArray().Select(n => (int)n!).ToArray();
            int[] predQdq = rep["predictions_qdq"]!.AsArray().Select(n => (int)n!).ToArray();
            Assert.Equal(Argmax(ortFloat), predFloat);
            Assert.Equal(Argmax(ortQdq), predQdq);

            // The uint8 copy is the float output in the output's quantized domain: (q − zp)·scale, bit for bit.
            var q = rep["models"]!["fashion_mnist_qdq.onnx"]!;
            float scale = (float)(double)q["output_scale"]!;
            int zp = (int)q["output_zero_point"]!;
            for (int i = 0; i < ortQdq.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits((ortQdqU8[i] - zp) * scale) == BitConverter.SingleToInt32Bits(ortQdq[i]),
                    $"output {i}: ({ortQdqU8[i]} − {zp})·{scale} ≠ {ortQdq[i]}");
            // …and that scale and zero point are the QDQ model's last DequantizeLinear's.
            var model = OnnxReader.ReadFile(PathOf("fashion_mnist_qdq.onnx"));
            var inits = model.Graph.Initializers.ToDictionary(t => t.Name);
            var outName = Assert.Single(model.Graph.Outputs).Name;
            var last = model.Graph.Nodes.Single(n => n.Outputs.Contains(outName));
            Assert.Equal("DequantizeLinear", last.OpType);
            Assert.Equal(scale, inits[last.Inputs[1]].AsFloats().Single());
            Assert.Equal(OnnxDataType.UInt8, inits[last.Inputs[2]].DataType);
            Assert.Equal(zp, (int)inits[last.Inputs[2]].Data.Single());

            // Accuracies: recomputed from labels and predictions, and sensible for this network (~87–90 %).
            double acc(int[] p) => p.Zip(labels).Count(t => t.First == t.Second) / (double)Images;
            Assert.Equal(acc(predFloat), (double)rep["accuracy_200"]!["ort_float"]!, 12);
            Assert.Equal(acc(predQdq), (double)rep["accuracy_200"]!["ort_qdq"]!, 12);
            Assert.InRange(acc(predFloat), 0.8, 1.0);
            Assert.InRange(acc(predQdq), 0.8, 1.0);
            Assert.Equal(acc(Argmax(torchInt8)), (double)made["accuracy"]!["torch_int8_200"]!, 12);
            _log.WriteLine($"accuracy on the 200 images: ORT float {acc(predFloat):P1}, ORT QDQ {acc(predQdq):P1}, torch int8 {acc(Argmax(torchInt8)):P1}");

            // ORT's outputs were made from the committed models (same SHA-256 as make_demo.py recorded).
            foreach (var name in new[] { "fashion_mnist_float.onnx", "fashion_mnist_qdq.onnx" })
            {
                string sha = Sha256(name);
                Assert.Equal(sha, (string)made["files"]![name]!["sha256"]!);
                Assert.Equal(sha, (string)rep["models"]![name]!["sha256"]!);
                Assert.Equal(new FileInfo(PathOf(name)).Length, (long)made["files"]![name]!["bytes"]!);
            }
        }

        /// <summary>The ops Edge's ONNX path supports (the demo must stay inside them).</summary>
        private static readonly HashSet<string> EdgeOnnxOps = new()
        {
            "Conv", "Gemm", "MatMul", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool", "Reshape", "Flatten", "Add",
            "Mul", "Softmax", "Concat", "Transpose", "Pad", "Clip", "Sigmoid",
        };

        [Fact]
        public void ModelsAreSmallOnnxGraphsOfSupportedOps()
        {
            var fl = OnnxReader.ReadFile(PathOf("fashion_mnist_float.onnx"));
            var qdq = OnnxReader.ReadFile(PathOf("fashion_mnist_qdq.onnx"));
            Assert.Equal(13, fl.Opset);
            Assert.Equal(13, qdq.Opset);
            Assert.All(fl.Graph.Nodes, n => Assert.Contains(n.OpType, EdgeOnnxOps));
            Assert.All(qdq.Graph.Nodes, n => Assert.True(EdgeOnnxOps.Contains(n.OpType) || n.OpType is "QuantizeLinear" or "DequantizeLinear", n.ToString()));

            foreach (var m in new[] { fl, qdq })
            {
                var input = Assert.Single(m.Graph.RealInputs);
                Assert.Equal(new long[] { 1, 1, 28, 28 }, input.Shape);
                Assert.Equal(new long[] { 1, Classes }, Assert.Single(m.Graph.Outputs).Shape);
            }
            // Same network: the float ops in the QDQ graph are the float graph's ops, in order.
            Assert.Equal(fl.Graph.Nodes.Select(n => n.OpType),
                qdq.Graph.Nodes.Where(n => n.OpType is not ("QuantizeLinear" or "DequantizeLinear")).Select(n => n.OpType));

            // Quantized as torch's qnnpack qconfig does it: uint8 activations, int8 weights, int32 biases.
            var inits = qdq.Graph.Initializers.ToDictionary(t => t.Name);
            foreach (var n in qdq.Graph.Nodes.Where(n => n.OpType == "QuantizeLinear"))
                Assert.Equal(OnnxDataType.UInt8, inits[n.Inputs[2]].DataType);
            var weightTypes = qdq.Graph.Nodes.Where(n => n.OpType == "DequantizeLinear" && inits.ContainsKey(n.Inputs[0]))
                .Select(n => inits[n.Inputs[0]].DataType).ToList();
            Assert.Equal(5, weightTypes.Count(t => t == OnnxDataType.Int8));
            Assert.Equal(5, weightTypes.Count(t => t == OnnxDataType.Int32));

            long floatBytes = new FileInfo(PathOf("fashion_mnist_float.onnx")).Length;
            long qdqBytes = new FileInfo(PathOf("fashion_mnist_qdq.onnx")).Length;
            _log.WriteLine($"float {floatBytes} bytes, QDQ {qdqBytes} bytes");
            Assert.InRange(floatBytes, 10_000, 150_000);
            Assert.InRange(qdqBytes, 5_000, floatBytes / 2);
        }

        /// <summary>
        /// ORT's committed output is the exact integer evaluation of the QDQ graph, recomputed here independently of
        /// ORT (the same check as samples/fashion-mnist/check_int8.py): QuantizeLinear rounds x / s half to even;
        /// DequantizeLinear → Conv/Gemm (→ Relu) → QuantizeLinear is Σ (q_x − zp_x)·q_w + q_b in integers,
        /// requantized by float32(s_x·s_w) / s_y with round-half-even and saturation; MaxPool/Flatten act on the
        /// integers; DequantizeLinear → Relu → QuantizeLinear with the same parameters is max(q, zp); the output is
        /// float32((q − zp)·s). This pins the expected data to the arithmetic Edge implements, not to one CPU's ORT
        /// kernels (ORT's u8×s8 kernels on x86 without VNNI saturate int16 pair sums; see README.md).
        /// </summary>
        [Fact]
        public void OrtOutputIsTheExactIntegerEvaluationOfTheQdqGraph()
        {
            var m = OnnxReader.ReadFile(PathOf("fashion_mnist_qdq.onnx"));
            var init = m.Graph.Initializers.ToDictionary(t => t.Name);
            var producer = new Dictionary<string, OnnxNode>();
            foreach (var n in m.Graph.Nodes) foreach (var o in n.Outputs) producer[o] = n;
            var images = Floats(Npy("test_images_f32.npy", DType.Float32, Images, 1, 28, 28));
            var ortQdq = Npy("ort_qdq_logits.npy", DType.Float32, Images, Classes).Data;
            var ortQdqU8 = Npy("ort_qdq_output_u8.npy", DType.UInt8, Images, Classes).Data;
            string outName = m.Graph.Outputs[0].Name;

            float Scalar(string name) => init[name].AsFloats().Single();
            int Zp(string name) { var t = init[name]; Assert.Equal(OnnxDataType.UInt8, t.DataType); return t.Data.Single(); }
            static int Sat(long v) => (int)Math.Clamp(v, 0, 255);
            static long RoundEven(float v) => (long)MathF.Round(v, MidpointRounding.ToEven);

            int differing = 0;
            var outBytes = new byte[Classes * 4];
            for (int img = 0; img < Images; img++)
            {
                // name of a QuantizeLinear output → (uint8 values, shape [C, H, W] or [K]).
                var vals = new Dictionary<string, (int[] q, int[] shape)>();
                foreach (var n in m.Graph.Nodes)
                {
                    if (n.OpType == "DequantizeLinear" && n.Outputs[0] == outName)
                    {
                        var (q, _) = vals[n.Inputs[0]];
                        float s = Scalar(n.Inputs[1]);
                        int zp = Zp(n.Inputs[2]);
                        for (int j = 0; j < Classes; j++)
                        {
                            Assert.Equal(ortQdqU8[img * Classes + j], q[j]);
                            BitConverter.TryWriteBytes(outBytes.AsSpan(4 * j), (q[j] - zp) * s);
                        }
                        if (!outBytes.AsSpan().SequenceEqual(ortQdq.AsSpan(img * Classes * 4, Classes * 4))) differing++;
                        continue;
                    }
                    if (n.OpType != "QuantizeLinear") continue;
                    float sy = Scalar(n.Inputs[1]);
                    int zpy = Zp(n.Inputs[2]);
                    if (!producer.TryGetValue(n.Inputs[0], out var src))
                    {
                        var q = new int[Pixels];
                        for (int k = 0; k < Pixels; k++) q[k] = Sat(RoundEven(images[img * Pixels + k] / sy) + zpy);
                        vals[n.Outputs[0]] = (q, new[] { 1, 28, 28 });
                        continue;
                    }
                    if (src.OpType == "Relu")
                    {
                        var inner = producer[src.Inputs[0]];
                        if (inner.OpType == "DequantizeLinear")
                        {
                            Assert.Equal(sy, Scalar(inner.Inputs[1]));
                            Assert.Equal(zpy, Zp(inner.Inputs[2]));
                            var (q, shape) = vals[inner.Inputs[0]];
                            vals[n.Outputs[0]] = (q.Select(v => Math.Max(v, zpy)).ToArray(), shape);
                            continue;
                        }
                        Assert.Equal(0, zpy);   // ReLU into a zero point of 0: the saturation at 0 does it
                        src = inner;
                    }
                    if (src.OpType is "MaxPool" or "Flatten")
                    {
                        var dq = producer[src.Inputs[0]];
                        Assert.Equal(sy, Scalar(dq.Inputs[1]));
                        Assert.Equal(zpy, Zp(dq.Inputs[2]));
                        var (q, shape) = vals[dq.Inputs[0]];
                        if (src.OpType == "Flatten") { vals[n.Outputs[0]] = (q, new[] { q.Length }); continue; }
                        Assert.Equal(new long[] { 2, 2 }, src.Ints("kernel_shape"));
                        Assert.Equal(new long[] { 2, 2 }, src.Ints("strides"));
                        int c = shape[0], h = shape[1], w = shape[2], oh = h / 2, ow = w / 2;
                        var y = new int[c * oh * ow];
                        for (int ch = 0; ch < c; ch++)
                            for (int i = 0; i < oh; i++)
                                for (int j = 0; j < ow; j++)
                                {
                                    int b = ch * h * w + 2 * i * w + 2 * j;
                                    y[(ch * oh + i) * ow + j] = Math.Max(Math.Max(q[b], q[b + 1]), Math.Max(q[b + w], q[b + w + 1]));
                                }
                        vals[n.Outputs[0]] = (y, new[] { c, oh, ow });
                        continue;
                    }
                    Assert.True(src.OpType is "Conv" or "Gemm", $"QuantizeLinear after {src.OpType}");
                    OnnxNode dqx = producer[src.Inputs[0]], dqw = producer[src.Inputs[1]], dqb = producer[src.Inputs[2]];
                    var (x, xs) = vals[dqx.Inputs[0]];
                    float sx = Scalar(dqx.Inputs[1]);
                    int zpx = Zp(dqx.Inputs[2]);
                    var wt = init[dqw.Inputs[0]];
                    Assert.Equal(OnnxDataType.Int8, wt.DataType);
                    float sw = init[dqw.Inputs[1]].AsFloats().Single();
                    Assert.All(init[dqw.Inputs[2]].AsInt64s(), z => Assert.Equal(0L, z));
                    long[] wq = wt.AsInt64s(), bias = init[dqb.Inputs[0]].AsInt64s();
                    Assert.Equal(sx * sw, init[dqb.Inputs[1]].AsFloats().Single());
                    float mult = sx * sw / sy;
                    int Requant(long acc) => Sat(RoundEven((float)(int)acc * mult) + zpy);
                    if (src.OpType == "Gemm")
                    {
                        Assert.Equal(1, src.Int("transB", 0));
                        int nOut = (int)wt.Dims[0], k = (int)wt.Dims[1];
                        var y = new int[nOut];
                        for (int o = 0; o < nOut; o++)
                        {
                            long acc = bias[o];
                            for (int i = 0; i < k; i++) acc += (x[i] - zpx) * wq[o * k + i];
                            y[o] = Requant(acc);
                        }
                        vals[n.Outputs[0]] = (y, new[] { nOut });
                    }
                    else
                    {
                        Assert.All(src.Ints("pads") ?? new long[4], p => Assert.Equal(0L, p));
                        Assert.All(src.Ints("strides") ?? new long[] { 1, 1 }, p => Assert.Equal(1L, p));
                        int mOut = (int)wt.Dims[0], c = (int)wt.Dims[1], kh = (int)wt.Dims[2], kw = (int)wt.Dims[3];
                        int h = xs[1], w = xs[2], oh = h - kh + 1, ow = w - kw + 1;
                        Assert.Equal(c, xs[0]);
                        var y = new int[mOut * oh * ow];
                        for (int o = 0; o < mOut; o++)
                            for (int i = 0; i < oh; i++)
                                for (int j = 0; j < ow; j++)
                                {
                                    long acc = bias[o];
                                    for (int ch = 0; ch < c; ch++)
                                        for (int a = 0; a < kh; a++)
                                            for (int b = 0; b < kw; b++)
                                                acc += (x[(ch * h + i + a) * w + j + b] - zpx) * wq[((o * c + ch) * kh + a) * kw + b];
                                    y[(o * oh + i) * ow + j] = Requant(acc);
                                }
                        vals[n.Outputs[0]] = (y, new[] { mOut, oh, ow });
                    }
                }
            }
            Assert.Equal(0, differing);
        }

        /// <summary>Quantizes like ONNX QuantizeLinear: round half to even, saturate.</summary>
        private static byte Quantize(float x, float scale, int zp, bool signed)
        {
            int lo = signed ? -128 : 0, hi = signed ? 127 : 255;
            int q = (int)Math.Clamp(Math.Round((double)(x / scale), MidpointRounding.ToEven) + zp, lo, hi);
            return unchecked((byte)q);
        }

        [Fact]
        public void EdgeOutputOnTheQdqModelEqualsOnnxRuntimeBitForBit()
        {
            var result = ModelConverter.Convert(File.ReadAllBytes(PathOf("fashion_mnist_qdq.onnx")), "fashion_mnist_qdq.onnx");
            var model = EdgeModel.Load(result.FileBytesData);
            var interp = new Interpreter(model, new byte[model.ArenaBytes]);
            var images = Floats(Npy("test_images_f32.npy", DType.Float32, Images, 1, 28, 28));
            var ortQdq = Npy("ort_qdq_logits.npy", DType.Float32, Images, Classes).Data;
            var ortQdqU8 = Npy("ort_qdq_output_u8.npy", DType.UInt8, Images, Classes).Data;

            var input = model.Input(0);
            var output = model.Output(0);
            Assert.Equal(1, model.InputCount);
            Assert.Equal(Pixels, input.ElementCount);   // [1,1,28,28] or [1,28,28,1]: one channel, the same bytes
            Assert.Equal(Classes, output.ElementCount);
            // The expected bytes in Edge's output type: ORT's float output, or its uint8 quantized values (shifted
            // by 128 when the importer keeps the output as int8 with the zero point shifted by 128).
            byte[] expected = output.Type switch
            {
                DType.Float32 => ortQdq,
                DType.UInt8 => ortQdqU8,
                DType.Int8 => ortQdqU8.Select(v => unchecked((byte)(v - 128))).ToArray(),
                _ => throw new Xunit.Sdk.XunitException($"unexpected output type {output.Type}"),
            };
            var inBytes = new byte[input.SizeBytes];
            var outBytes = new byte[output.SizeBytes];
            int mismatched = 0;
            for (int i = 0; i < Images; i++)
            {
                switch (input.Type)
                {
                    case DType.Float32:
                        Buffer.BlockCopy(images, i * Pixels * 4, inBytes, 0, Pixels * 4);
                        break;
                    case DType.UInt8:
                    case DType.Int8:
                        for (int k = 0; k < Pixels; k++)
                            inBytes[k] = Quantize(images[i * Pixels + k], input.Scale, input.ZeroPoint, input.Type == DType.Int8);
                        break;
                    default:
                        throw new Xunit.Sdk.XunitException($"unexpected input type {input.Type}");
                }
                interp.SetInput(0, inBytes, 0);
                interp.Invoke();
                interp.GetOutput(0, outBytes, 0);
                if (!outBytes.AsSpan().SequenceEqual(expected.AsSpan(i * outBytes.Length, outBytes.Length)))
                {
                    if (mismatched++ < 5)
                        _log.WriteLine($"image {i}: Edge {Convert.ToHexString(outBytes)} ORT {Convert.ToHexString(expected, i * outBytes.Length, outBytes.Length)}");
                }
            }
            Assert.True(mismatched == 0, $"{mismatched} of {Images} images differ from ONNX Runtime's output (first ones logged)");
        }
    }
}
