using System;
using System.Collections.Generic;
using System.Linq;
using Edge.Converter.Conversion;
using Edge.Converter.Ir;
using Edge.Runtime;

namespace Edge.Converter.Onnx
{
    /// <summary>
    /// Lowers a quantized ONNX model (opsets 10–21, QOperator or QDQ form) into the Edge IR with ONNX Runtime's
    /// semantics (RequantRule.OnnxRuntimeFloat): the QDQ groups ONNX Runtime fuses into integer kernels
    /// (DQ→Conv→Q, DQ→MatMul→Q, DQ→Gemm→Q; DQ→Reshape/Flatten/Transpose/Squeeze/Unsqueeze/MaxPool→Q with equal
    /// parameters, which ONNX Runtime drops) become the same integer ops here. Layout: rank-4 feature maps are
    /// computed NHWC; transposes are inserted only where an op needs the other layout, so the model's inputs
    /// and outputs keep ONNX's declared shapes and NCHW layout. Anything else raises
    /// <see cref="ConversionException"/> naming the op type, node name and opset.
    /// </summary>
    /// <summary>How an ONNX model is imported.</summary>
    public sealed class OnnxImportOptions
    {
        public static readonly OnnxImportOptions Default = new();

        /// <summary>
        /// Reproduce ONNX Runtime's x86-64 AVX2 u8×s8 GEMM (used on CPUs without VNNI): it multiplies uint8
        /// activations by int8 weights with VPMADDUBSW, which adds adjacent products into a saturating int16, so
        /// large products can lose their exact sum (edge convert --ort-avx2). Off by default: Edge accumulates exactly
        /// in int32, which is what the ONNX operators define and what ONNX Runtime computes on ARM64, on VNNI CPUs
        /// and with its session option session.x64quantprecision.
        /// </summary>
        public bool OrtX86PairSaturation { get; init; }

        /// <summary>
        /// Dynamic quantization (edge convert --dynamic): the model is a float ONNX graph; Conv / Gemm / MatMul with
        /// constant weights become DYNAMIC_CONV_2D / DYNAMIC_FULLY_CONNECTED (int8 weights quantized here, the float
        /// input quantized per inference), Relu / Clip after them are fused, MaxPool and the shape ops run in float.
        /// </summary>
        public bool Dynamic { get; init; }
    }

    public static partial class OnnxImporter
    {
        public const int MinOpset = 10, MaxOpset = 21;

        /// <summary>The ONNX op types Edge imports (ai.onnx; plus com.microsoft QLinear ops where listed).</summary>
        public static readonly string[] SupportedOps =
        {
            "QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger",
            "Conv", "MatMul", "Gemm", "Add", "Mul", "Relu", "Clip", "MaxPool", "AveragePool", "GlobalAveragePool", "Concat",
            "Sigmoid", "Softmax", "Pad", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Identity", "Constant",
            "QLinearAdd", "QLinearMul", "QLinearGlobalAveragePool", "QGemm",
        };

        public static EdgeGraph Import(OnnxModel model, OnnxImportOptions options = null)
        {
            if (model == null) throw new ArgumentNullException(nameof(model));
            return new Importer(model, options ?? OnnxImportOptions.Default).Run();
        }

        /// <summary>True when the bytes look like an ONNX ModelProto (protobuf: field 1 ir_version varint first,
        /// or any field the reader accepts) rather than a TFLite or .edge flatbuffer.</summary>
        public static bool LooksLikeOnnx(byte[] data)
        {
            if (data == null || data.Length < 2) return false;
            if (data.Length >= 8 && data[4] == 'T' && data[5] == 'F' && data[6] == 'L' && data[7] == '3') return false;
            // ModelProto fields are 1..20 with wire types 0 (varint) or 2 (length-delimited): first tag byte.
            int tag = data[0];
            int field = tag >> 3, wire = tag & 7;
            return field >= 1 && field <= 20 && (wire == 0 || wire == 2);
        }

        private sealed class Val
        {
            public OnnxDataType ToOnnxType() => Type == DType.UInt8 ? OnnxDataType.UInt8 : Type == DType.Int8 ? OnnxDataType.Int8 : OnnxDataType.Undefined;
            public int Tensor;
            /// <summary>The Edge tensor is the NHWC form of a rank-4 ONNX NCHW value.</summary>
            public bool Nhwc;
            public long[] OnnxShape;
            public DType Type;
            public float Scale;
            public int ZeroPoint;
        }

        private sealed class Dq
        {
            public string Source;      // quantized value name
            public float[] Scale;
            public int[] ZeroPoint;
            public int Axis;
            public OnnxNode Node;
        }

        private sealed partial class Importer
        {
            private readonly OnnxModel _m;
            private readonly OnnxImportOptions _options;
            private readonly long _opset;
            private readonly EdgeGraph _g = new();
            private readonly Dictionary<string, OnnxTensor> _const = new();
            private readonly Dictionary<string, Val> _vals = new();
            private readonly Dictionary<string, Val> _nhwcCache = new();
            private readonly Dictionary<string, Val> _onnxCache = new();
            private readonly Dictionary<string, Dq> _dq = new();
            private readonly Dictionary<string, List<OnnxNode>> _consumers = new();
            private readonly HashSet<OnnxNode> _done = new();
            private readonly HashSet<string> _graphOutputs;
            private OnnxNode _node;
            private int _nodeIndex;

            public Importer(OnnxModel m, OnnxImportOptions options)
            {
                _m = m;
                _options = options;
                _opset = m.Opset;
                _graphOutputs = new HashSet<string>(m.Graph.Outputs.Select(o => o.Name));
            }

            private ConversionException Error(string message) =>
                _node == null
                    ? new ConversionException($"ONNX (opset {_opset}): {message}")
                    : new ConversionException($"ONNX {_node.OpType} node '{_node.Name}' (#{_nodeIndex}, opset {_opset}): {message}");

            public EdgeGraph Run()
            {
                if (_opset < MinOpset || _opset > MaxOpset)
                    throw Error(_opset == 0
                        ? "the model imports no ai.onnx opset"
                        : $"opset {_opset} is outside the supported range {MinOpset}–{MaxOpset}; re-export with an opset in that range (e.g. onnx.version_converter)");
                foreach (var t in _m.Graph.Initializers)
                {
                    if (t.IsExternal) throw Error($"initializer '{t.Name}' uses external data; save the model with its weights inside the file");
                    _const[t.Name] = t;
                }
                foreach (var n in _m.Graph.Nodes)
                    foreach (var i in n.Inputs)
                        if (i.Length > 0)
                        {
                            if (!_consumers.TryGetValue(i, out var l)) _consumers[i] = l = new List<OnnxNode>();
                            l.Add(n);
                        }
                if (_options.Dynamic) CheckFloat(); else CheckQuantized();
                foreach (var vi in _m.Graph.RealInputs)
                {
                    var dtype = MapType(vi.ElementType, $"model input '{vi.Name}'", allowFloat: true, allowInt32: false);
                    if (vi.Shape == null) throw Error($"model input '{vi.Name}' has no declared shape");
                    long[] shape = vi.Shape.Select(d => d < 0 ? 1L : d).ToArray();   // symbolic dims (batch) become 1
                    var v = NewVal(vi.Name, shape, dtype, false, 0f, 0);
                    _g.Inputs.Add(v.Tensor);
                }
                for (_nodeIndex = 0; _nodeIndex < _m.Graph.Nodes.Count; _nodeIndex++)
                {
                    _node = _m.Graph.Nodes[_nodeIndex];
                    if (_done.Contains(_node)) continue;
                    Lower(_node);
                    _done.Add(_node);
                }
                _node = null;
                NoteInt8FloatFallbacks();
                foreach (var o in _m.Graph.Outputs)
                {
                    // A dequantized output is transposed back to ONNX's layout while still 8-bit, then dequantized.
                    Val v = _dq.TryGetValue(o.Name, out var dqo) && !_vals.ContainsKey(o.Name) ? Materialize(o.Name, dqo, onnxLayout: true) : Value(o.Name, "model output");
                    if (v.Nhwc)
                    {
                        _g.Tensors[v.Tensor].Name = o.Name + "/nhwc";
                        v = ToOnnxLayout(o.Name, v);
                        _g.Tensors[v.Tensor].Name = o.Name;
                    }
                    if (_g.Tensors[v.Tensor].IsConstant) throw Error($"model output '{o.Name}' is a constant");
                    if (_g.Outputs.Contains(v.Tensor) || _g.Inputs.Contains(v.Tensor))
                        v = Copy(o.Name, v);
                    _g.Outputs.Add(v.Tensor);
                }
                return _g;
            }

            /// <summary>
            /// ONNX Runtime on x86-64 runs int8 QDQ groups in uint8 (its QDQS8ToU8Transformer), but leaves an int8
            /// QuantizeLinear whose value is dequantized for more than one consumer in int8, and the ops next to it then
            /// run in float (DQ → float op → Q). Edge computes those ops with its integer kernels: identical except
            /// where ONNX Runtime's float arithmetic rounds to a different step. The user is told which ops.
            /// </summary>
            private void NoteInt8FloatFallbacks()
            {
                var producer = new Dictionary<string, OnnxNode>();
                foreach (var n in _m.Graph.Nodes) foreach (var o in n.Outputs) producer[o] = n;
                foreach (var q in _m.Graph.Nodes.Where(n => n.OpType == "QuantizeLinear"))
                {
                    if (q.Inputs.Count < 3 || q.Inputs[2].Length == 0 || !_const.TryGetValue(q.Inputs[2], out var z) || z.DataType != OnnxDataType.Int8) continue;
                    if (!_consumers.TryGetValue(q.Outputs[0], out var dqs)) continue;
                    var readers = dqs.Where(d => d.OpType == "DequantizeLinear")
                        .SelectMany(d => _consumers.TryGetValue(d.Outputs[0], out var c) ? c : new List<OnnxNode>()).ToList();
                    int uses = readers.Count + dqs.Count(d => d.OpType == "DequantizeLinear" && _graphOutputs.Contains(d.Outputs[0]));
                    if (uses <= 1) continue;
                    var ops = new List<string>();
                    if (producer.TryGetValue(q.Inputs[0], out var p) && p.OpType != "DequantizeLinear") ops.Add($"{p.OpType} '{p.Name}'");
                    ops.AddRange(readers.Where(r => r.OpType != "QuantizeLinear" && r.OpType != "Identity").Select(r => $"{r.OpType} '{r.Name}'"));
                    if (ops.Count == 0) continue;
                    _g.Notes.Add($"int8 tensor '{q.Outputs[0]}' is dequantized for {uses} consumers: ONNX Runtime (x86-64) keeps it in int8 and runs " +
                                 $"{string.Join(", ", ops.Distinct())} in float; Edge runs them with integer kernels, which agree except where that float arithmetic rounds differently " +
                                 "(uint8 activations, or one consumer per quantized tensor, avoid this)");
                }
            }

            /// <summary>A float model (no quantization operators at all) is PTQ's job, not the importer's.</summary>
            private void CheckQuantized()
            {
                bool quantized = _m.Graph.Nodes.Any(n => n.OpType is "QuantizeLinear" or "DequantizeLinear" or "QLinearConv"
                    or "QLinearMatMul" or "ConvInteger" or "MatMulInteger" or "QLinearAdd" or "QLinearMul" or "QLinearGlobalAveragePool" or "QGemm");
                if (!quantized)
                    throw Error("float model: no QuantizeLinear/DequantizeLinear or QLinear* or *Integer operators. Edge runs quantized models: " +
                                "quantize it first — `edge convert model.onnx --calibration DIR` (post-training quantization) or onnxruntime's quantize_static (QDQ)");
            }

            // ---------------------------------------------------------------------------------------------

            private void Lower(OnnxNode n)
            {
                if (n.Domain.Length > 0 && n.Domain != "ai.onnx" && n.Domain != "com.microsoft")
                    throw Error($"domain '{n.Domain}' is not supported");
                if (_options.Dynamic) { LowerDynamic(n); return; }
                switch (n.OpType)
                {
                    case "Constant": LowerConstant(n); return;
                    case "Identity": Alias(n.Outputs[0], n.Inputs[0]); return;
                    case "QuantizeLinear": LowerQuantize(n); return;
                    case "DequantizeLinear": LowerDequantize(n); return;
                    case "QLinearConv": LowerQLinearConv(n); return;
                    case "ConvInteger": LowerConvInteger(n); return;
                    case "QLinearMatMul": LowerQLinearMatMul(n); return;
                    case "MatMulInteger": LowerMatMulInteger(n); return;
                    case "QLinearAdd": case "QLinearMul": RequireMsDomain(n); LowerQLinearBinary(n); return;
                    case "QLinearGlobalAveragePool": RequireMsDomain(n); LowerQLinearGlobalAveragePool(n); return;
                    case "QGemm": RequireMsDomain(n); LowerQGemm(n); return;
                    case "Conv": LowerQdqConv(n); return;
                    case "MatMul": LowerQdqMatMul(n, gemm: false); return;
                    case "Gemm": LowerQdqMatMul(n, gemm: true); return;
                    case "Reshape": case "Flatten": case "Transpose": case "Squeeze": case "Unsqueeze": case "MaxPool": case "Pad":
                        LowerStructural(n); return;
                    case "Add": case "Mul": LowerQdqBinary(n); return;
                    case "GlobalAveragePool": LowerQdqGlobalAveragePool(n); return;
                    case "AveragePool": LowerQdqAveragePool(n); return;
                    case "Concat": LowerQdqConcat(n); return;
                    case "Sigmoid": LowerQdqSigmoid(n); return;
                    case "Softmax": LowerQdqSoftmax(n); return;
                    case "Relu": case "Clip":
                        LowerActivation(n); return;
                    default:
                        throw Error($"op type {n.OpType} is not supported. Supported: {string.Join(", ", SupportedOps)}");
                }
            }

            private void LowerConstant(OnnxNode n)
            {
                if (!n.Attributes.TryGetValue("value", out var a) || a.T == null)
                    throw Error("only Constant with a tensor 'value' is supported");
                a.T.Name = n.Outputs[0];
                _const[n.Outputs[0]] = a.T;
            }

            private void Alias(string to, string from)
            {
                if (_const.TryGetValue(from, out var c)) { _const[to] = c; return; }
                if (_dq.TryGetValue(from, out var d)) { _dq[to] = d; return; }
                _vals[to] = Value(from, "input");
            }

            // ---- Quantize / Dequantize ------------------------------------------------------------------

            private void LowerQuantize(OnnxNode n)
            {
                string x = n.Inputs[0];
                var (scale, zp, axis, qtype) = QParams(n, 1, 2, n.Outputs[0], quantizeOutput: true);
                if (_dq.TryGetValue(x, out var d)) Materialize(x, d);
                Val input = Value(x, "input");
                if (input.Type != DType.Float32) throw Error($"input '{x}' is {input.Type}, QuantizeLinear needs float32");
                int rank = input.OnnxShape.Length;
                int edgeAxis = scale.Length > 1 ? EdgeAxis(input, Norm(axis, rank)) : 0;
                var outVal = NewVal(n.Outputs[0], input.OnnxShape, qtype, input.Nhwc, scale[0], zp[0]);
                if (scale.Length > 1) SetPerChannel(outVal, scale, zp, edgeAxis);
                Emit(OpType.Quantize, new[] { input.Tensor }, new[] { outVal.Tensor }, new AffineQuantizeOptions
                {
                    RequantRule = RequantRuleKind.OnnxRuntimeFloat, Scales = scale, ZeroPoints = zp, Axis = edgeAxis,
                    Scale = scale[0], ZeroPoint = zp[0],
                }, 0);
            }

            private void LowerDequantize(OnnxNode n)
            {
                string x = n.Inputs[0];
                var (scale, zp, axis, _) = QParams(n, 1, 2, x, quantizeOutput: false);
                if (_const.ContainsKey(x))
                {
                    _dq[n.Outputs[0]] = new Dq { Source = x, Scale = scale, ZeroPoint = zp, Axis = axis, Node = n };
                    return;
                }
                Val v = Value(x, "input");
                if (v.Type != DType.Int8 && v.Type != DType.UInt8) throw Error($"input '{x}' is {v.Type}; Edge dequantizes int8/uint8");
                if (scale.Length == 1) Annotate(v, scale[0], zp[0]);
                _dq[n.Outputs[0]] = new Dq { Source = x, Scale = scale, ZeroPoint = zp, Axis = axis, Node = n };
                // Emitted lazily: only when a consumer is not a fused QDQ group (or it is a model output).
            }

            /// <summary>Emits the Dequantize op for a DQ output that is needed as a float tensor.</summary>
            private Val Materialize(string name, Dq d, bool onnxLayout = false)
            {
                if (_vals.TryGetValue(name, out var existing)) return existing;
                if (_const.ContainsKey(d.Source)) throw Error($"'{name}' is a dequantized constant used as a float tensor; Edge keeps constants quantized");
                Val v = Value(d.Source, "input");
                if (onnxLayout) v = ToOnnxLayout(d.Source, v);
                int rank = v.OnnxShape.Length;
                int edgeAxis = d.Scale.Length > 1 ? EdgeAxis(v, Norm(d.Axis, rank)) : 0;
                var outVal = NewVal(name, v.OnnxShape, DType.Float32, v.Nhwc, 0f, 0);
                Emit(OpType.Dequantize, new[] { v.Tensor }, new[] { outVal.Tensor }, new AffineQuantizeOptions
                {
                    RequantRule = RequantRuleKind.OnnxRuntimeFloat, Scales = d.Scale, ZeroPoints = d.ZeroPoint, Axis = edgeAxis,
                    Scale = d.Scale[0], ZeroPoint = d.ZeroPoint[0],
                }, 0, d.Node);
                return outVal;
            }

            /// <summary>
            /// Scale / zero point inputs (constants): float scale per tensor or per axis, zero point of the
            /// quantized type (default uint8 0 when absent, as ONNX defines). <paramref name="typedName"/> names the
            /// quantized tensor whose element type the zero point must have.
            /// </summary>
            private (float[] scale, int[] zp, int axis, DType type) QParams(OnnxNode n, int scaleInput, int zpInput, string typedName, bool quantizeOutput)
            {
                var s = Const(n, scaleInput, "scale");
                if (s.DataType != OnnxDataType.Float) throw Error($"scale '{s.Name}' is {s.DataType}; Edge needs float32 scales");
                float[] scale = s.AsFloats();
                if (scale.Length == 0) throw Error($"scale '{s.Name}' is empty");
                foreach (var f in scale)
                    if (!(f > 0) || float.IsInfinity(f)) throw Error($"scale '{s.Name}' holds {f}; scales must be positive and finite");
                long axis = n.Int("axis", 1);
                if (n.Attributes.ContainsKey("block_size") && n.Int("block_size", 0) != 0) throw Error("blocked quantization (block_size) is not supported");
                DType type;
                int[] zp;
                if (zpInput < n.Inputs.Count && n.Inputs[zpInput].Length > 0)
                {
                    var z = Const(n, zpInput, "zero point");
                    type = MapType(z.DataType, $"zero point '{z.Name}'", allowFloat: false, allowInt32: !quantizeOutput);
                    zp = z.AsInt64s().Select(v => (int)v).ToArray();
                    if (zp.Length != scale.Length) throw Error($"zero point '{z.Name}' has {zp.Length} entries, scale has {scale.Length}");
                }
                else
                {
                    type = DType.UInt8;
                    if (!quantizeOutput && _const.TryGetValue(typedName, out var ct)) type = MapType(ct.DataType, $"'{typedName}'", false, true);
                    else if (!quantizeOutput && _vals.TryGetValue(typedName, out var vv)) type = vv.Type;
                    if (quantizeOutput && n.Attributes.TryGetValue("output_dtype", out var od) && od.I != 0)
                        type = MapType((OnnxDataType)od.I, "output_dtype", false, false);
                    zp = new int[scale.Length];
                }
                return (scale, zp, (int)axis, type);
            }

            // ---- QOperator -------------------------------------------------------------------------------

            private void LowerQLinearConv(OnnxNode n)
            {
                var xs = ScalarF(n, 1, "x_scale"); int xz = ScalarZp(n, 2);
                var wsT = Const(n, 4, "w_scale"); var ws = wsT.AsFloats();
                var wzp = ConstInts(n, 5, "w_zero_point");
                var ys = ScalarF(n, 6, "y_scale"); int yz = ScalarZp(n, 7);
                var yType = TypeOfConst(n, 7, "y_zero_point");
                OnnxTensor bias = n.Inputs.Count > 8 && n.Inputs[8].Length > 0 ? Const(n, 8, "bias") : null;
                var w = Const(n, 3, "w");
                EmitConv(n, Value(n.Inputs[0], "x"), xs, xz, w, ws, wzp, bias, ys, yz, yType, n.Outputs[0], qoperator: true);
            }

            private void LowerConvInteger(OnnxNode n)
            {
                int xz = n.Inputs.Count > 2 && n.Inputs[2].Length > 0 ? ScalarZp(n, 2) : 0;
                var w = Const(n, 1, "w");
                int[] wzp = n.Inputs.Count > 3 && n.Inputs[3].Length > 0 ? ConstInts(n, 3, "w_zero_point") : new[] { 0 };
                EmitConv(n, Value(n.Inputs[0], "x"), 0f, xz, w, null, wzp, null, 0f, 0, DType.Int32, n.Outputs[0]);
            }

            private void LowerQLinearMatMul(OnnxNode n)
            {
                var a = Value(n.Inputs[0], "a");
                var @as = ScalarF(n, 1, "a_scale"); int az = ScalarZp(n, 2);
                var bs = Const(n, 4, "b_scale").AsFloats();
                var bz = ConstInts(n, 5, "b_zero_point");
                var ys = ScalarF(n, 6, "y_scale"); int yz = ScalarZp(n, 7);
                var yType = TypeOfConst(n, 7, "y_zero_point");
                EmitMatMul(n, a, az, n.Inputs[3], false, bz, null, yType, n.Outputs[0], @as, bs, ys, yz, qoperator: true);
            }

            /// <summary>
            /// QGemm (com.microsoft, QOperator form): (A, a_scale, a_zero_point, B, b_scale, b_zero_point, C, y_scale,
            /// y_zero_point) — what ONNX Runtime fuses DQ→Gemm→Q into, so the QDQ Gemm's lowering: output scale
            /// alpha · a_scale · b_scale[j] / y_scale with alpha = 1, int32 bias C per column. A float output (no
            /// y_scale / y_zero_point), alpha ≠ 1, transA and a C that is not one value per column are not supported.
            /// </summary>
            private void LowerQGemm(OnnxNode n)
            {
                if (n.Inputs.Count < 9 || n.Inputs[7].Length == 0 || n.Inputs[8].Length == 0)
                    throw Error("QGemm without y_scale and y_zero_point (float output) is not supported; Edge imports the quantized-output form");
                if (n.Float("alpha", 1f) != 1f) throw Error("QGemm with alpha ≠ 1 is not supported");
                if (n.Int("transA", 0) != 0) throw Error("QGemm with transA is not supported");
                var a = Value(n.Inputs[0], "A");
                float @as = ScalarF(n, 1, "a_scale");
                int az = ScalarZp(n, 2);
                var bs = Const(n, 4, "b_scale").AsFloats();
                var bz = ConstInts(n, 5, "b_zero_point");
                OnnxTensor bias = null;
                if (n.Inputs[6].Length > 0)
                {
                    bias = Const(n, 6, "C");
                    if (bias.DataType != OnnxDataType.Int32) throw Error($"C '{bias.Name}' is {bias.DataType}; int32 expected");
                    if (bias.Dims.Length > 2 || (bias.Dims.Length == 2 && bias.Dims[0] != 1))
                        throw Error($"C of shape [{string.Join(",", bias.Dims)}] is not supported (one value per column: [N] or [1, N])");
                }
                float ys = ScalarF(n, 7, "y_scale");
                int yz = ScalarZp(n, 8);
                var yType = TypeOfConst(n, 8, "y_zero_point");
                EmitMatMul(n, a, az, n.Inputs[3], n.Int("transB", 0) != 0, bz, bias, yType, n.Outputs[0], @as, bs, ys, yz, qoperator: true);
            }

            private void LowerMatMulInteger(OnnxNode n)
            {
                var a = Value(n.Inputs[0], "A");
                int az = n.Inputs.Count > 2 && n.Inputs[2].Length > 0 ? ScalarZp(n, 2) : 0;
                int[] bz = n.Inputs.Count > 3 && n.Inputs[3].Length > 0 ? ConstInts(n, 3, "b_zero_point") : new[] { 0 };
                EmitMatMul(n, a, az, n.Inputs[1], false, bz, null, DType.Int32, n.Outputs[0], 0f, null, 0f, 0);
            }

            // ---- QDQ groups ------------------------------------------------------------------------------

            /// <summary>The QuantizeLinear that alone consumes <paramref name="value"/> (through removable Relu/Clip), or null.</summary>
            private OnnxNode SoleQuantize(string value, List<OnnxNode> skipped)
            {
                if (_graphOutputs.Contains(value)) return null;
                if (!_consumers.TryGetValue(value, out var cs) || cs.Count != 1) return null;
                var c = cs[0];
                if (c.OpType == "QuantizeLinear" && c.Inputs[0] == value) return c;
                if ((c.OpType == "Relu" || c.OpType == "Clip") && c.Inputs[0] == value)
                {
                    var q = SoleQuantize(c.Outputs[0], skipped);
                    if (q == null) return null;
                    skipped.Add(c);
                    return q;
                }
                return null;
            }

            private Dq RequireDq(OnnxNode n, int input, string what)
            {
                if (input >= n.Inputs.Count || n.Inputs[input].Length == 0) throw Error($"{what} is missing");
                if (!_dq.TryGetValue(n.Inputs[input], out var d))
                    throw Error($"{what} '{n.Inputs[input]}' is not produced by DequantizeLinear: float {n.OpType} is not supported " +
                                "(Edge runs quantized models: QDQ form with DequantizeLinear on every input and QuantizeLinear on the output, or QOperator form)");
                return d;
            }

            /// <summary>The output QuantizeLinear of a QDQ group and the activation clamp its Relu/Clip imply (checked removable as ONNX Runtime removes them).</summary>
            private (OnnxNode q, float[] scale, int zp, DType type) GroupOutput(OnnxNode n)
            {
                var skipped = new List<OnnxNode>();
                var q = SoleQuantize(n.Outputs[0], skipped);
                if (q == null)
                    throw Error($"output '{n.Outputs[0]}' is not quantized by a single QuantizeLinear: ONNX Runtime would compute this {n.OpType} in float, which Edge does not run");
                var (scale, zp, _, type) = QParams(q, 1, 2, q.Outputs[0], quantizeOutput: true);
                if (scale.Length != 1) throw Error($"QuantizeLinear '{q.Name}' on the output is per-axis; activations must be quantized per tensor");
                foreach (var act in skipped) CheckRemovable(act, scale[0], zp[0], type);
                foreach (var act in skipped) _done.Add(act);
                _done.Add(q);
                return (q, scale, zp[0], type);
            }

            /// <summary>
            /// ONNX Runtime removes Relu/Clip before a QuantizeLinear when the quantized range already clamps the
            /// same way (ReluQuantFusion / ClipQuantFusion); otherwise it computes them in float, which Edge does not.
            /// </summary>
            private void CheckRemovable(OnnxNode act, float scale, int zp, DType type)
            {
                int qmin = type == DType.UInt8 ? 0 : -128, qmax = type == DType.UInt8 ? 255 : 127;
                float lower = scale * (qmin - zp), upper = scale * (qmax - zp);
                float lo = float.NegativeInfinity, hi = float.PositiveInfinity;
                if (act.OpType == "Relu") lo = 0f;
                else
                {
                    if (_opset < 11) { lo = act.Float("min", float.MinValue); hi = act.Float("max", float.MaxValue); }
                    else
                    {
                        if (act.Inputs.Count > 1 && act.Inputs[1].Length > 0) lo = ConstOf(act, act.Inputs[1]).AsFloats()[0];
                        if (act.Inputs.Count > 2 && act.Inputs[2].Length > 0) hi = ConstOf(act, act.Inputs[2]).AsFloats()[0];
                    }
                }
                if (!(lo <= lower && hi >= upper))
                {
                    var saved = _node; _node = act;
                    throw Error($"{act.OpType} before QuantizeLinear (range [{lower}, {upper}]) is not absorbed by the quantized range " +
                                $"(needs zero point {qmin} for Relu): ONNX Runtime would compute the preceding op in float, which Edge does not run");
                }
            }

            private void LowerQdqConv(OnnxNode n)
            {
                var dx = RequireDq(n, 0, "input X");
                var dw = RequireDq(n, 1, "weight W");
                if (!_const.TryGetValue(dw.Source, out var w)) throw Error("weight W must be a DequantizeLinear of an initializer");
                if (dx.Scale.Length != 1) throw Error("input X must be quantized per tensor");
                OnnxTensor bias = null;
                if (n.Inputs.Count > 2 && n.Inputs[2].Length > 0)
                {
                    var db = RequireDq(n, 2, "bias B");
                    if (!_const.TryGetValue(db.Source, out bias) || bias.DataType != OnnxDataType.Int32)
                        throw Error("bias B must be a DequantizeLinear of an int32 initializer");
                    if (db.ZeroPoint.Any(z => z != 0)) throw Error("bias zero point must be 0");
                }
                var (q, ys, yz, yType) = GroupOutput(n);
                var x = Value(dx.Source, "input X");
                EmitConv(n, x, dx.Scale[0], dx.ZeroPoint[0], w, dw.Scale, dw.ZeroPoint, bias, ys[0], yz, yType, q.Outputs[0]);
            }

            private void LowerQdqMatMul(OnnxNode n, bool gemm)
            {
                var da = RequireDq(n, 0, "input A");
                var db = RequireDq(n, 1, "input B");
                if (da.Scale.Length != 1) throw Error("input A must be quantized per tensor");
                OnnxTensor bias = null;
                float alpha = 1f, beta = 1f;
                bool transA = false, transB = false;
                if (gemm)
                {
                    alpha = n.Float("alpha", 1f); beta = n.Float("beta", 1f);
                    transA = n.Int("transA", 0) != 0; transB = n.Int("transB", 0) != 0;
                    if (alpha != 1f) throw Error("Gemm with alpha ≠ 1 is not supported");
                    if (transA) throw Error("Gemm with transA is not supported");
                    if (n.Inputs.Count > 2 && n.Inputs[2].Length > 0)
                    {
                        if (beta != 1f) throw Error("Gemm with beta ≠ 1 is not supported");
                        var dc = RequireDq(n, 2, "bias C");
                        if (!_const.TryGetValue(dc.Source, out bias) || bias.DataType != OnnxDataType.Int32)
                            throw Error("bias C must be a DequantizeLinear of an int32 initializer");
                    }
                }
                var (q, ys, yz, yType) = GroupOutput(n);
                var a = Value(da.Source, "input A");
                EmitMatMul(n, a, da.ZeroPoint[0], db.Source, transB, db.ZeroPoint, bias, yType, q.Outputs[0], da.Scale[0], db.Scale, ys[0], yz);
            }

            /// <summary>
            /// DQ→Add/Mul→Q: ONNX Runtime fuses it into QLinearAdd / QLinearMul (com.microsoft) and on x86-64 runs
            /// int8 QDQ groups on uint8 (QDQS8ToU8Transformer: values and zero points + 128), so the float constants
            /// are computed in that domain.
            /// </summary>
            private void LowerQdqBinary(OnnxNode n)
            {
                var da = RequireDq(n, 0, "input A");
                var db = RequireDq(n, 1, "input B");
                if (da.Scale.Length != 1 || db.Scale.Length != 1) throw Error("inputs must be quantized per tensor");
                var (q, ys, yz, yType) = GroupOutput(n);
                EmitBinary(n.OpType == "Add" ? 0 : 1, da.Source, Value(da.Source, "input A"), da.Scale[0], da.ZeroPoint[0],
                           db.Source, Value(db.Source, "input B"), db.Scale[0], db.ZeroPoint[0], ys[0], yz, yType, q.Outputs[0],
                           uint8Domain: yType == DType.Int8);
            }

            /// <summary>
            /// QLinearAdd / QLinearMul (com.microsoft, QOperator form): (A, A_scale, A_zero_point, B, B_scale,
            /// B_zero_point, C_scale, C_zero_point). ONNX Runtime runs them with MLAS's kernel of the element type
            /// (int8 stays int8: no uint8 domain here); absent zero points are 0.
            /// </summary>
            private void LowerQLinearBinary(OnnxNode n)
            {
                if (n.Inputs.Count < 7) throw Error($"{n.OpType} needs at least 7 inputs (A, A_scale, A_zero_point, B, B_scale, B_zero_point, C_scale)");
                var a = Value(n.Inputs[0], "A");
                var b = Value(n.Inputs[3], "B");
                float sa = ScalarF(n, 1, "A_scale"), sb = ScalarF(n, 4, "B_scale"), sc = ScalarF(n, 6, "C_scale");
                int za = OptionalZp(n, 2, a.Type, "A_zero_point"), zb = OptionalZp(n, 5, b.Type, "B_zero_point");
                int zc = OptionalZp(n, 7, a.Type, "C_zero_point");
                EmitBinary(n.OpType == "QLinearAdd" ? 0 : 1, n.Inputs[0], a, sa, za, n.Inputs[3], b, sb, zb, sc, zc, a.Type, n.Outputs[0], uint8Domain: false);
            }

            /// <summary>
            /// ONNX Runtime's QLinearAdd / QLinearMul on x86-64 (MLAS qladd_avx2.cpp with FMA, qlmul.cpp SSE2), as
            /// QLINEAR_BINARY: the float constants in ONNX Runtime's order of operations. <paramref name="uint8Domain"/>:
            /// int8 computed on uint8 (ONNX Runtime's int8→uint8 conversion of QDQ groups), else in the element type.
            /// Same shapes, or one single-element input.
            /// </summary>
            private void EmitBinary(int kind, string aName, Val a, float sa, int za, string bName, Val b, float sb, int zb,
                                    float sc, int zc, DType yType, string outName, bool uint8Domain)
            {
                if (a.Type != yType || b.Type != yType) throw Error("inputs and output must share the element type");
                if (yType != DType.Int8 && yType != DType.UInt8) throw Error($"element type {yType} is not supported (int8 and uint8 are)");
                Annotate(a, sa, za); Annotate(b, sb, zb);   // e.g. a QOperator model's 8-bit inputs
                long countA = a.OnnxShape.Aggregate(1L, (x, y) => x * y), countB = b.OnnxShape.Aggregate(1L, (x, y) => x * y);
                bool sameShape = a.OnnxShape.SequenceEqual(b.OnnxShape);
                if (!sameShape && countA != 1 && countB != 1)
                    throw Error($"broadcasting [{string.Join(",", a.OnnxShape)}] with [{string.Join(",", b.OnnxShape)}] is not supported (same shapes or a single element)");
                if (countA == 1 && countB > 1)
                {
                    // ONNX Runtime (qlinear_binary_op.cc) passes a single-element A to MLAS as its B, the other input as its A.
                    (a, b) = (b, a); (aName, bName) = (bName, aName); (sa, sb) = (sb, sa); (za, zb) = (zb, za); (countA, countB) = (countB, countA);
                }
                if (!sameShape && b.OnnxShape.Length > a.OnnxShape.Length)
                    throw Error($"a single-element input of higher rank than the other ([{string.Join(",", b.OnnxShape)}] with [{string.Join(",", a.OnnxShape)}]) is not supported");
                if (a.Nhwc != b.Nhwc) { a = ToOnnxLayout(aName, a); b = ToOnnxLayout(bName, b); }
                var shapeOf = countA >= countB ? a : b;
                int shift = uint8Domain ? 128 : 0;
                int zpA = za + shift, zpB = zb + shift, zpC = zc + shift;
                var o = new QLinearBinaryOptions { Shift = shift, ZeroPointA = zpA, ZeroPointB = zpB };
                if (kind == 0)
                {
                    o.Kind = 0;
                    o.RatioA = sa / sc;
                    o.RatioB = sb / sc;
                    // MLAS qladd_avx2.cpp: (float)ZeroPointC - (ScaleRatio_AC * ZeroPointA + ScaleRatio_BC * ZeroPointB),
                    // compiled with the first product and the sum fused (FMA), and a single-element B's term
                    // VectorFixedPart + B * ScaleRatio_BC fused likewise, which the kernel's inner fma reproduces. Pinned by
                    // the qop_add_scalar_* models, whose single-element values were chosen where the candidate orders differ.
                    o.Fixed = (float)zpC - MathF.FusedMultiplyAdd(o.RatioA, (float)zpA, (float)(o.RatioB * zpB));
                }
                else
                {
                    o.Kind = 1;
                    o.RatioA = sa * sb / sc;   // MLAS qlmul.cpp: ScaleA * ScaleB / ScaleC (the product commutes: the swap changes nothing)
                    o.Fixed = zpC;
                }
                var outVal = NewVal(outName, shapeOf.OnnxShape, yType, shapeOf.Nhwc, sc, zc);
                Emit(OpType.QLinearBinary, new[] { a.Tensor, b.Tensor }, new[] { outVal.Tensor }, o, shapeOf.OnnxShape.Aggregate(1L, (x, y) => x * y));
            }

            /// <summary>DQ→GlobalAveragePool→Q: ONNX Runtime's QLinearGlobalAveragePool (int8 runs on uint8 there, with the same result).</summary>
            private void LowerQdqGlobalAveragePool(OnnxNode n)
            {
                var dx = RequireDq(n, 0, "input X");
                if (dx.Scale.Length != 1) throw Error("input X must be quantized per tensor");
                var (q, ys, yz, yType) = GroupOutput(n);
                var x = Value(dx.Source, "input X");
                EmitGlobalAveragePool(dx.Source, x, dx.Scale[0], dx.ZeroPoint[0], ys[0], yz, yType, q.Outputs[0], channelsLast: false);
            }

            /// <summary>
            /// QLinearGlobalAveragePool (com.microsoft, QOperator form): (X, x_scale, x_zero_point, y_scale,
            /// y_zero_point), attribute channels_last (0: NCHW, 1: NHWC).
            /// </summary>
            private void LowerQLinearGlobalAveragePool(OnnxNode n)
            {
                if (n.Inputs.Count < 5) throw Error("QLinearGlobalAveragePool needs 5 inputs (X, x_scale, x_zero_point, y_scale, y_zero_point)");
                var x = Value(n.Inputs[0], "X");
                float xs = ScalarF(n, 1, "x_scale"), ys = ScalarF(n, 3, "y_scale");
                int xz = OptionalZp(n, 2, x.Type, "x_zero_point"), yz = OptionalZp(n, 4, x.Type, "y_zero_point");
                long cl = n.Int("channels_last", 0);
                if (cl != 0 && cl != 1) throw Error($"channels_last = {cl}; 0 or 1 expected");
                EmitGlobalAveragePool(n.Inputs[0], x, xs, xz, ys, yz, x.Type, n.Outputs[0], channelsLast: cl == 1);
            }

            /// <summary>
            /// ONNX Runtime's QLinearGlobalAveragePool (MLAS qlgavgpool.cpp, x86, uint8 and int8 kernels alike):
            /// acc = Σx − x_zp·N in int32 (exact), then MlasRequantizeOutput: float32(acc) · scale with
            /// scale = x_scale / (y_scale · float(N)), round half to even, + y_zp, clamped — exactly a depthwise
            /// QLINEAR_CONV with all-one weights over the whole image and that output scale, which is how it is emitted.
            /// MLAS refuses N ≥ 2^24 and scale outside [2^-32, 256) ("parameter out of computation range"); so does this.
            /// channelsLast: the ONNX value is [N, H, W, C] (output [N, 1, 1, C]), else [N, C, H, W] (output [N, C, 1, 1]).
            /// </summary>
            private void EmitGlobalAveragePool(string xName, Val x, float xScale, int xZp, float yScale, int yZp, DType yType, string outName, bool channelsLast)
            {
                if (x.Type != yType) throw Error("input and output must share the element type");
                if (yType != DType.Int8 && yType != DType.UInt8) throw Error($"element type {yType} is not supported (int8 and uint8 are)");
                Annotate(x, xScale, xZp);
                if (x.OnnxShape.Length != 4)
                    throw Error($"only rank-4 ({(channelsLast ? "NHWC" : "NCHW")}) input is supported, got [{string.Join(",", x.OnnxShape)}]");
                long batch, c, h, w;
                Val input;
                if (channelsLast)
                {
                    input = ToOnnxLayout(xName, x);   // the ONNX value itself is NHWC: the Edge tensor in ONNX order
                    batch = input.OnnxShape[0]; h = input.OnnxShape[1]; w = input.OnnxShape[2]; c = input.OnnxShape[3];
                }
                else
                {
                    input = ToNhwc(xName, x);
                    batch = input.OnnxShape[0]; c = input.OnnxShape[1]; h = input.OnnxShape[2]; w = input.OnnxShape[3];
                }
                long image = h * w;
                if (image >= 0x1000000) throw Error($"the image has {image} pixels; ONNX Runtime's kernel refuses 2^24 or more");
                float scale = xScale / (yScale * (float)image);
                if (scale < 1f / 4294967296f || scale >= 256f)   // 2^-32
                    throw Error($"x_scale / (y_scale · {image}) = {scale} is outside [2^-32, 256), which ONNX Runtime's kernel refuses (parameter out of computation range)");
                var ones = new byte[c * h * w];
                for (int i = 0; i < ones.Length; i++) ones[i] = 1;
                int wt = _g.AddTensor(new EdgeTensor { Name = (_node?.Name ?? outName) + "/ones", DType = DType.Int8, Shape = new[] { (int)c, (int)h, (int)w, 1 }, Data = ones });
                var opts = new QLinearConvOptions
                {
                    Group = (int)c, InputZeroPoint = xZp, WeightZeroPoint = new int[c], OutputZeroPoint = yZp,
                    OutputScale = Enumerable.Repeat(scale, (int)c).ToArray(),
                    ActMin = yType == DType.UInt8 ? 0 : -128, ActMax = yType == DType.UInt8 ? 255 : 127,
                };
                var outVal = channelsLast
                    ? NewVal(outName, new[] { batch, 1L, 1L, c }, yType, false, yScale, yZp)
                    : NewVal(outName, new[] { batch, c, 1L, 1L }, yType, true, yScale, yZp);
                Emit(OpType.QLinearConv, new[] { input.Tensor, wt }, new[] { outVal.Tensor }, opts, batch * c * h * w);
            }

            /// <summary>DQ→AveragePool→Q: ONNX Runtime's QLinearAveragePool (float window sums; int8 in the uint8 domain).</summary>
            private void LowerQdqAveragePool(OnnxNode n)
            {
                var dx = RequireDq(n, 0, "input X");
                if (dx.Scale.Length != 1) throw Error("input X must be quantized per tensor");
                var (q, ys, yz, yType) = GroupOutput(n);
                var x = Value(dx.Source, "input X");
                if (x.Type != yType) throw Error("input and output must share the element type");
                if (x.OnnxShape.Length != 4) throw Error("only 2-D AveragePool (rank-4 NCHW input) is supported");
                if (n.Int("ceil_mode", 0) != 0) throw Error("ceil_mode = 1 is not supported");
                var k = n.Ints("kernel_shape") ?? throw Error("kernel_shape is required");
                var dil = n.Ints("dilations");
                if (dil != null && dil.Any(d => d != 1)) throw Error("dilations ≠ 1 are not supported");
                var (pt, pl, pb, pr, sh, sw, _, _) = Window(n, x.OnnxShape, k);
                x = ToNhwc(dx.Source, x);
                long oh = (x.OnnxShape[2] + pt + pb - k[0]) / sh + 1, ow = (x.OnnxShape[3] + pl + pr - k[1]) / sw + 1;
                int shift = yType == DType.Int8 ? 128 : 0;
                var outVal = NewVal(q.Outputs[0], new[] { x.OnnxShape[0], x.OnnxShape[1], oh, ow }, yType, true, ys[0], yz);
                Emit(OpType.QLinearAveragePool, new[] { x.Tensor }, new[] { outVal.Tensor }, new QLinearAveragePoolOptions
                {
                    StrideH = sh, StrideW = sw, FilterH = (int)k[0], FilterW = (int)k[1], PadTop = pt, PadLeft = pl, PadBottom = pb, PadRight = pr,
                    CountIncludePad = n.Int("count_include_pad", 0) != 0,
                    InputScale = dx.Scale[0], InputZeroPoint = dx.ZeroPoint[0] + shift, OutputScale = ys[0], OutputZeroPoint = yz + shift, Shift = shift,
                }, oh * ow * x.OnnxShape[0] * x.OnnxShape[1] * k[0] * k[1]);
            }

            /// <summary>
            /// ONNX Runtime's QlinearBuildLookupTable: entry for byte i = MlasQuantizeLinear(f(x_scale · (x − x_zp)))
            /// with x the byte read as the element type.
            /// </summary>
            private static int[] BuildTable(DType type, float xScale, int xZp, float yScale, int yZp, Func<float, float> f)
            {
                int qmin = type == DType.UInt8 ? 0 : -128, qmax = qmin + 255;
                var t = new int[256];
                for (int i = 0; i < 256; i++)
                {
                    int x = type == DType.UInt8 ? i : (sbyte)(byte)i;
                    float deq = xScale * (float)(x - xZp);
                    t[i] = Edge.Kernels.Reference.OrtRequant.QuantizeLinear(f(deq), yScale, yZp, qmin, qmax);
                }
                return t;
            }

            private Val EmitLookup(string name, Val x, int[] table, DType outType, float scale, int zp)
            {
                var outVal = NewVal(name, x.OnnxShape, outType, x.Nhwc, scale, zp);
                Emit(OpType.Lookup, new[] { x.Tensor }, new[] { outVal.Tensor }, new LookupOptions { Table = table }, 0);
                return outVal;
            }

            /// <summary>DQ→Concat→Q: ONNX Runtime's QLinearConcat — inputs whose parameters differ from the output's go through its lookup table.</summary>
            private void LowerQdqConcat(OnnxNode n)
            {
                var dqs = Enumerable.Range(0, n.Inputs.Count).Select(i => RequireDq(n, i, $"input {i}")).ToList();
                if (dqs.Any(d => d.Scale.Length != 1)) throw Error("inputs must be quantized per tensor");
                var (q, ys, yz, yType) = GroupOutput(n);
                var vals = dqs.Select(d => Value(d.Source, "input")).ToList();
                if (vals.Any(v => v.Type != yType)) throw Error("inputs and output must share the element type");
                int rank = vals[0].OnnxShape.Length;
                int axis = Norm((int)n.Int("axis", 0), rank);
                bool nhwc = rank == 4 && vals.All(v => v.Nhwc);
                if (!nhwc) vals = vals.Select((v, i) => ToOnnxLayout(dqs[i].Source, v)).ToList();
                var ins = new List<int>();
                for (int i = 0; i < vals.Count; i++)
                {
                    var d = dqs[i];
                    if (d.Scale[0] == ys[0] && d.ZeroPoint[0] == yz) { ins.Add(vals[i].Tensor); continue; }
                    var table = BuildTable(yType, d.Scale[0], d.ZeroPoint[0], ys[0], yz, v => v);
                    ins.Add(EmitLookup($"{n.Name}/rescaled_{i}", vals[i], table, yType, ys[0], yz).Tensor);
                }
                var outShape = (long[])vals[0].OnnxShape.Clone();
                outShape[axis] = vals.Sum(v => v.OnnxShape[axis]);
                for (int i = 0; i < vals.Count; i++)
                    for (int k = 0; k < rank; k++)
                        if (k != axis && vals[i].OnnxShape[k] != outShape[k]) throw Error("input shapes differ outside the concatenation axis");
                var outVal = NewVal(q.Outputs[0], outShape, yType, nhwc, ys[0], yz);
                Emit(OpType.Concatenation, ins.ToArray(), new[] { outVal.Tensor }, new ConcatenationOptions
                {
                    Axis = nhwc ? EdgeAxis(vals[0], axis) : axis, Requantize = false,
                    InputScale = Enumerable.Repeat(ys[0], ins.Count).ToArray(), InputZeroPoint = Enumerable.Repeat(yz, ins.Count).ToArray(),
                    OutputScale = ys[0], OutputZeroPoint = yz,
                }, 0);
            }

            /// <summary>DQ→Sigmoid→Q: ONNX Runtime's QLinearSigmoid — a lookup table of MLAS's logistic (x86 FMA3 kernel).</summary>
            private void LowerQdqSigmoid(OnnxNode n)
            {
                var dx = RequireDq(n, 0, "input X");
                if (dx.Scale.Length != 1) throw Error("input X must be quantized per tensor");
                var (q, ys, yz, yType) = GroupOutput(n);
                var x = Value(dx.Source, "input X");
                if (x.Type != yType) throw Error("input and output must share the element type");
                var table = BuildTable(yType, dx.Scale[0], dx.ZeroPoint[0], ys[0], yz, MlasLogistic);
                EmitLookup(q.Outputs[0], x, table, yType, ys[0], yz);
            }

            /// <summary>
            /// DQ→Softmax→Q: ONNX Runtime's QLinearSoftmax — a float exponential table built in double
            /// (QlinearBuildLookupTableUint32), float sums, and output multiplier floor(1 / y_scale).
            /// </summary>
            private void LowerQdqSoftmax(OnnxNode n)
            {
                var dx = RequireDq(n, 0, "input X");
                if (dx.Scale.Length != 1) throw Error("input X must be quantized per tensor");
                var (q, ys, yz, yType) = GroupOutput(n);
                var x = Value(dx.Source, "input X");
                if (x.Type != yType) throw Error("input and output must share the element type");
                x = ToOnnxLayout(dx.Source, x);
                int rank = x.OnnxShape.Length;
                int axis = Norm((int)n.Int("axis", _opset < 13 ? 1 : -1), rank);
                long reduce = _opset < 13 ? x.OnnxShape.Skip(axis).Aggregate(1L, (a, b) => a * b) : x.OnnxShape[axis];
                if (_opset >= 13 && axis != rank - 1) throw Error("Softmax over an axis other than the last is not supported");
                // (opset < 13 flattens from `axis`: the innermost `reduce` elements form a row.)
                bool signed = yType == DType.Int8;
                double bitShift = Math.Log(float.MaxValue / (double)reduce);
                bitShift = Math.Max(0.0, bitShift - 5) / dx.Scale[0];
                var table = new float[256];
                for (int i = 0; i < 256; i++)
                {
                    double e = Math.Exp((i - 255 + bitShift) * (double)dx.Scale[0]);
                    table[(byte)(signed ? i - 128 : i)] = (float)e;
                }
                var outShape = x.OnnxShape;
                int[] rowShape = new[] { (int)(outShape.Aggregate(1L, (a, b) => a * b) / reduce), (int)reduce };
                var opts = new QLinearSoftmaxOptions { Table = table, OutputMultiplier = MathF.Floor(1.0f / ys[0]), OutputZeroPoint = yz };
                if (_opset < 13 && axis != rank - 1)
                {
                    // Rows of `reduce` elements: reshape to [N, D], softmax, reshape back.
                    var flat = NewVal(dx.Source + "/rows", rowShape.Select(v => (long)v).ToArray(), yType, false, dx.Scale[0], dx.ZeroPoint[0]);
                    Emit(OpType.Reshape, new[] { x.Tensor }, new[] { flat.Tensor }, null, 0);
                    var sm = NewVal(q.Outputs[0] + "/rows", rowShape.Select(v => (long)v).ToArray(), yType, false, ys[0], yz);
                    Emit(OpType.QLinearSoftmax, new[] { flat.Tensor }, new[] { sm.Tensor }, opts, 0);
                    var back = NewVal(q.Outputs[0], outShape, yType, false, ys[0], yz);
                    Emit(OpType.Reshape, new[] { sm.Tensor }, new[] { back.Tensor }, null, 0);
                    return;
                }
                var outVal = NewVal(q.Outputs[0], outShape, yType, false, ys[0], yz);
                Emit(OpType.QLinearSoftmax, new[] { x.Tensor }, new[] { outVal.Tensor }, opts, 0);
            }

            /// <summary>MLAS's logistic (logistic.cpp constants, Eigen's rational approximation) with fused multiply-adds.</summary>
            internal static float MlasLogistic(float value)
            {
                float v = value < -18f ? -18f : value;
                v = v > 18f ? 18f : v;
                float vs = v * v;
                Func<float, float, float, float> ma = MathF.FusedMultiplyAdd;
                float p = ma(vs, 4.37031012579801e-11f, 1.15627324459942e-07f);
                p = ma(p, vs, 6.08574864600143e-05f);
                p = ma(p, vs, 8.51377133304701e-03f);
                p = ma(p, vs, 2.48287947061529e-01f);
                p = p * v;
                float qq = ma(vs, 6.10247389755681e-13f, 5.76102136993427e-09f);
                qq = ma(qq, vs, 6.29106785017040e-06f);
                qq = ma(qq, vs, 1.70198817374094e-03f);
                qq = ma(qq, vs, 1.16817656904453e-01f);
                qq = ma(qq, vs, 9.93151921023180e-01f);
                float r = p / qq + 0.5f;
                if (r < 0f) r = 0f;
                if (r > 1f) r = 1f;
                return r;
            }

            /// <summary>
            /// DQ→Relu/Clip→Q outside a fused group: ONNX Runtime either removes the activation (when the quantized
            /// range already clamps) or computes DequantizeLinear, the float max/min and QuantizeLinear; both give
            /// q = QuantizeLinear(act(DequantizeLinear(x))) exactly, emitted as a LOOKUP table of those float steps.
            /// </summary>
            private void LowerActivation(OnnxNode n)
            {
                if (!_dq.TryGetValue(n.Inputs[0], out var dx))
                    throw Error($"{n.OpType} on a value that is not produced by DequantizeLinear is not supported (Edge runs quantized QDQ graphs)");
                if (dx.Scale.Length != 1) throw Error("input must be quantized per tensor");
                var skipped = new List<OnnxNode>();
                var q = SoleQuantize(n.Outputs[0], skipped);
                if (q == null || skipped.Count > 0) throw Error($"output '{n.Outputs[0]}' is not quantized by a single QuantizeLinear; float {n.OpType} is not supported");
                var (ys, yz, _, yType) = QParams(q, 1, 2, q.Outputs[0], quantizeOutput: true);
                if (ys.Length != 1) throw Error("the output QuantizeLinear must be per tensor");
                _done.Add(q);
                var x = Value(dx.Source, "input");
                if (x.Type != yType) throw Error("input and output must share the element type");
                float lo = float.NegativeInfinity, hi = float.PositiveInfinity;
                if (n.OpType == "Relu") lo = 0f;
                else if (_opset < 11) { lo = n.Float("min", float.MinValue); hi = n.Float("max", float.MaxValue); }
                else
                {
                    if (n.Inputs.Count > 1 && n.Inputs[1].Length > 0) lo = ConstOf(n, n.Inputs[1], "min").AsFloats()[0];
                    if (n.Inputs.Count > 2 && n.Inputs[2].Length > 0) hi = ConstOf(n, n.Inputs[2], "max").AsFloats()[0];
                }
                var table = BuildTable(yType, dx.Scale[0], dx.ZeroPoint[0], ys[0], yz[0], v => v < lo ? lo : (v > hi ? hi : v));
                EmitLookup(q.Outputs[0], x, table, yType, ys[0], yz[0]);
            }

            // ---- Structural ops (integer in, integer out; ONNX Runtime drops their Q/DQ) ----------------

            private void LowerStructural(OnnxNode n)
            {
                string inName = n.Inputs[0], outName = n.Outputs[0];
                if (_dq.TryGetValue(inName, out var d))
                {
                    // DQ → op → Q with identical parameters: ONNX Runtime drops the pair and runs the op on integers.
                    var skipped = new List<OnnxNode>();
                    var q = SoleQuantize(outName, skipped);
                    if (q == null || skipped.Count > 0)
                        throw Error($"output '{outName}' is not requantized by one QuantizeLinear; float {n.OpType} is not supported");
                    var (qs, qz, _, qt) = QParams(q, 1, 2, q.Outputs[0], quantizeOutput: true);
                    var src = Value(d.Source, "input");
                    if (d.Scale.Length != 1 || qs.Length != 1 || d.Scale[0] != qs[0] || d.ZeroPoint[0] != qz[0] || qt != src.Type)
                        throw Error($"the DequantizeLinear/QuantizeLinear around {n.OpType} differ in scale, zero point or type; ONNX Runtime computes it in float, which Edge does not run");
                    _done.Add(q);
                    inName = d.Source; outName = q.Outputs[0];
                }
                Val v = Value(inName, "input");
                if (v.Type == DType.Float32 && !(_options.Dynamic && n.OpType != "Pad")) throw Error($"input '{inName}' is float; float {n.OpType} is not supported");
                switch (n.OpType)
                {
                    case "MaxPool": EmitMaxPool(n, v, outName); return;
                    case "Pad": EmitPad(n, v, outName); return;
                    case "Transpose":
                        {
                            v = ToOnnxLayout(inName, v);
                            int rank = v.OnnxShape.Length;
                            long[] p = n.Ints("perm") ?? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
                            if (p.Length != rank) throw Error("perm length differs from the input rank");
                            int[] perm = p.Select(x => (int)x).ToArray();
                            var outVal = NewVal(outName, perm.Select(i => v.OnnxShape[i]).ToArray(), v.Type, false, v.Scale, v.ZeroPoint);
                            Emit(OpType.Transpose, new[] { v.Tensor }, new[] { outVal.Tensor }, new TransposeOptions { Perm = perm }, 0);
                            return;
                        }
                    default:
                        {
                            v = ToOnnxLayout(inName, v);
                            long[] shape = ReshapeTarget(n, v.OnnxShape);
                            var outVal = NewVal(outName, shape, v.Type, false, v.Scale, v.ZeroPoint);
                            Emit(OpType.Reshape, new[] { v.Tensor }, new[] { outVal.Tensor }, null, 0);
                            return;
                        }
                }
            }

            private long[] ReshapeTarget(OnnxNode n, long[] inShape)
            {
                long count = inShape.Aggregate(1L, (a, b) => a * b);
                switch (n.OpType)
                {
                    case "Flatten":
                        {
                            int axis = Norm((int)n.Int("axis", 1), inShape.Length + 1);
                            long outer = inShape.Take(axis).Aggregate(1L, (a, b) => a * b);
                            return new[] { outer, count / Math.Max(outer, 1) };
                        }
                    case "Reshape":
                        {
                            var s = ConstOf(n, n.Inputs[1]).AsInt64s();
                            bool allowZero = n.Int("allowzero", 0) != 0;
                            var r = new long[s.Length];
                            int minus = -1;
                            long known = 1;
                            for (int i = 0; i < s.Length; i++)
                            {
                                if (s[i] == 0 && !allowZero) r[i] = inShape[i];
                                else if (s[i] == -1) { if (minus >= 0) throw Error("more than one -1 in the shape"); minus = i; continue; }
                                else r[i] = s[i];
                                known *= r[i];
                            }
                            if (minus >= 0) r[minus] = known == 0 ? 0 : count / known;
                            if (r.Aggregate(1L, (a, b) => a * b) != count) throw Error($"cannot reshape [{string.Join(",", inShape)}] to [{string.Join(",", s)}]");
                            return r;
                        }
                    case "Squeeze":
                        {
                            long[] axes = _opset >= 13 ? (n.Inputs.Count > 1 && n.Inputs[1].Length > 0 ? ConstOf(n, n.Inputs[1]).AsInt64s() : null) : n.Ints("axes");
                            var set = axes == null
                                ? new HashSet<int>(Enumerable.Range(0, inShape.Length).Where(i => inShape[i] == 1))
                                : new HashSet<int>(axes.Select(a => Norm((int)a, inShape.Length)));
                            return inShape.Where((d, i) => !set.Contains(i)).ToArray();
                        }
                    case "Unsqueeze":
                        {
                            long[] axes = _opset >= 13 ? ConstOf(n, n.Inputs[1]).AsInt64s() : n.Ints("axes");
                            if (axes == null) throw Error("Unsqueeze needs axes");
                            int rank = inShape.Length + axes.Length;
                            var set = new HashSet<int>(axes.Select(a => Norm((int)a, rank)));
                            var r = new long[rank];
                            int k = 0;
                            for (int i = 0; i < rank; i++) r[i] = set.Contains(i) ? 1 : inShape[k++];
                            return r;
                        }
                }
                throw Error("unreachable");
            }

            /// <summary>
            /// Constant Pad. In QDQ form ONNX Runtime pads the dequantized floats and quantizes again with the same
            /// parameters, which gives back every input value exactly and quantizes the pad constant c as
            /// round_half_even(c / scale) + zero point: the integer pad below computes the same.
            /// </summary>
            private void EmitPad(OnnxNode n, Val v, string outName)
            {
                if (n.String("mode", "constant") != "constant") throw Error($"Pad mode '{n.String("mode", "")}' is not supported (constant is)");
                long[] pads;
                float c = 0f;
                if (_opset < 11) { pads = n.Ints("pads") ?? throw Error("pads is required"); c = n.Float("value", 0f); }
                else
                {
                    pads = ConstOf(n, n.Inputs[1], "pads").AsInt64s();
                    if (n.Inputs.Count > 2 && n.Inputs[2].Length > 0)
                    {
                        var cv = ConstOf(n, n.Inputs[2], "constant_value");
                        if (cv.DataType == OnnxDataType.Float) c = cv.AsFloats()[0];
                        else if (cv.DataType == v.ToOnnxType()) c = float.NaN;   // quantized constant: its value is the padded byte
                        else throw Error($"constant_value of type {cv.DataType} is not supported");
                    }
                    if (n.Inputs.Count > 3 && n.Inputs[3].Length > 0) throw Error("Pad with axes is not supported");
                }
                int rank = v.OnnxShape.Length;
                if (pads.Length != 2 * rank) throw Error($"pads has {pads.Length} entries, expected {2 * rank}");
                if (pads.Any(p => p < 0)) throw Error("negative pads (cropping) are not supported");
                int value;
                if (float.IsNaN(c)) value = (int)ConstOf(n, n.Inputs[2]).AsInt64s()[0];
                else
                {
                    int qmin = v.Type == DType.UInt8 ? 0 : -128, qmax = v.Type == DType.UInt8 ? 255 : 127;
                    value = Edge.Kernels.Reference.OrtRequant.QuantizeLinear(c, v.Scale, v.ZeroPoint, qmin, qmax);
                }
                var outShape = Enumerable.Range(0, rank).Select(i => v.OnnxShape[i] + pads[i] + pads[i + rank]).ToArray();
                int[] order = v.Nhwc ? new[] { 0, 2, 3, 1 } : Enumerable.Range(0, rank).ToArray();
                var paddings = new int[2 * rank];
                for (int k = 0; k < rank; k++) { paddings[2 * k] = (int)pads[order[k]]; paddings[2 * k + 1] = (int)pads[order[k] + rank]; }
                var outVal = NewVal(outName, outShape, v.Type, v.Nhwc, v.Scale, v.ZeroPoint);
                Emit(OpType.Pad, new[] { v.Tensor }, new[] { outVal.Tensor }, new PadOptions { Paddings = paddings, PadValue = value }, 0);
            }

            private void EmitMaxPool(OnnxNode n, Val v, string outName)
            {
                if (v.OnnxShape.Length != 4) throw Error("MaxPool needs a rank-4 NCHW input");
                if (n.Int("ceil_mode", 0) != 0) throw Error("ceil_mode = 1 is not supported");
                if (n.Outputs.Count > 1 && n.Outputs[1].Length > 0) throw Error("the Indices output is not supported");
                if (n.Int("storage_order", 0) != 0) throw Error("storage_order = 1 is not supported");
                var k = n.Ints("kernel_shape") ?? throw Error("kernel_shape is required");
                var dil = n.Ints("dilations");
                if (dil != null && dil.Any(x => x != 1)) throw Error("dilations ≠ 1 are not supported for MaxPool");
                var (pt, pl, pb, pr, sh, sw, _, _) = Window(n, v.OnnxShape, k);
                v = ToNhwc(n.Inputs[0], v);
                long oh = (v.OnnxShape[2] + pt + pb - k[0]) / sh + 1, ow = (v.OnnxShape[3] + pl + pr - k[1]) / sw + 1;
                var outVal = NewVal(outName, new[] { v.OnnxShape[0], v.OnnxShape[1], oh, ow }, v.Type, true, v.Scale, v.ZeroPoint);
                Emit(OpType.MaxPool2D, new[] { v.Tensor }, new[] { outVal.Tensor }, new Pool2DOptions
                {
                    StrideH = sh, StrideW = sw, FilterH = (int)k[0], FilterW = (int)k[1],
                    PadTop = pt, PadLeft = pl, PadBottom = pb, PadRight = pr,
                    ActMin = v.Type == DType.UInt8 || v.Type == DType.Float32 ? 0 : -128, ActMax = v.Type == DType.UInt8 ? 255 : v.Type == DType.Float32 ? 0 : 127,
                }, oh * ow * v.OnnxShape[0] * v.OnnxShape[1] * k[0] * k[1]);
            }

            /// <summary>Resolves pads (explicit or auto_pad), strides and dilations of a 2-D window op.</summary>
            private (int pt, int pl, int pb, int pr, int sh, int sw, int dh, int dw) Window(OnnxNode n, long[] inShape, long[] k)
            {
                if (k.Length != 2) throw Error("only 2-D windows are supported");
                var s = n.Ints("strides") ?? new long[] { 1, 1 };
                var dl = n.Ints("dilations") ?? new long[] { 1, 1 };
                string autoPad = n.String("auto_pad", "NOTSET");
                int pt = 0, pl = 0, pb = 0, pr = 0;
                if (autoPad == "NOTSET")
                {
                    var p = n.Ints("pads") ?? new long[4];
                    if (p.Length != 4) throw Error("pads must have 4 entries");
                    pt = (int)p[0]; pl = (int)p[1]; pb = (int)p[2]; pr = (int)p[3];
                }
                else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER")
                {
                    int[] before = new int[2], after = new int[2];
                    for (int i = 0; i < 2; i++)
                    {
                        long inD = inShape[2 + i], outD = (inD + s[i] - 1) / s[i];
                        long eff = (k[i] - 1) * dl[i] + 1;
                        long total = Math.Max(0, (outD - 1) * s[i] + eff - inD);
                        long small = total / 2, large = total - small;
                        before[i] = (int)(autoPad == "SAME_UPPER" ? small : large);
                        after[i] = (int)(autoPad == "SAME_UPPER" ? large : small);
                    }
                    pt = before[0]; pl = before[1]; pb = after[0]; pr = after[1];
                }
                else if (autoPad != "VALID") throw Error($"auto_pad {autoPad} is not supported");
                return (pt, pl, pb, pr, (int)s[0], (int)s[1], (int)dl[0], (int)dl[1]);
            }

            // ---- Emission of the integer ops --------------------------------------------------------------

            private void EmitConv(OnnxNode n, Val x, float xScale, int xZp, OnnxTensor w, float[] wScale, int[] wZp,
                                  OnnxTensor bias, float yScale, int yZp, DType yType, string outName, bool qoperator = false)
            {
                if (x.Type != DType.Int8 && x.Type != DType.UInt8) throw Error($"input is {x.Type}; int8 or uint8 needed");
                if (x.OnnxShape.Length != 4) throw Error("only 2-D convolutions (rank-4 NCHW input) are supported");
                if (yType != DType.Int32) Annotate(x, xScale, xZp);
                if (w.Dims.Length != 4) throw Error("weight must be rank 4 (OIHW)");
                var wType = MapType(w.DataType, $"weight '{w.Name}'", false, false);
                int group = (int)n.Int("group", 1);
                long o = w.Dims[0], ipg = w.Dims[1], kh = w.Dims[2], kw = w.Dims[3];
                long c = x.OnnxShape[1];
                if (c != ipg * group) throw Error($"input has {c} channels, weight expects {ipg}×{group}");
                var ks = n.Ints("kernel_shape");
                if (ks != null && (ks.Length != 2 || ks[0] != kh || ks[1] != kw)) throw Error("kernel_shape disagrees with the weight");
                var (pt, pl, pb, pr, sh, sw, dh, dw) = Window(n, x.OnnxShape, new[] { kh, kw });
                if (wZp.Length != 1 && wZp.Length != o) throw Error($"weight zero point has {wZp.Length} entries, expected 1 or {o}");
                if (wScale != null && wScale.Length != 1 && wScale.Length != o) throw Error($"weight scale has {wScale.Length} entries, expected 1 or {o}");
                if (bias != null && (bias.DataType != OnnxDataType.Int32 || bias.ElementCount != o)) throw Error($"bias must be int32 with {o} entries");
                // Weights OIHW -> OHWI.
                var wd = new byte[w.Data.Length];
                for (long oc = 0; oc < o; oc++)
                    for (long ic = 0; ic < ipg; ic++)
                        for (long y = 0; y < kh; y++)
                            for (long xx = 0; xx < kw; xx++)
                                wd[((oc * kh + y) * kw + xx) * ipg + ic] = w.Data[((oc * ipg + ic) * kh + y) * kw + xx];
                int wt = _g.AddTensor(new EdgeTensor { Name = w.Name, DType = wType, Shape = new[] { (int)o, (int)kh, (int)kw, (int)ipg }, Data = wd });
                int bt = -1;
                if (bias != null) bt = _g.AddTensor(new EdgeTensor { Name = bias.Name, DType = DType.Int32, Shape = new[] { (int)o }, Data = (byte[])bias.Data.Clone() });
                x = ToNhwc(NameOf(x), x);
                long oh = (x.OnnxShape[2] + pt + pb - ((kh - 1) * dh + 1)) / sh + 1;
                long ow = (x.OnnxShape[3] + pl + pr - ((kw - 1) * dw + 1)) / sw + 1;
                if (oh <= 0 || ow <= 0) throw Error("the output would be empty");
                var opts = new QLinearConvOptions
                {
                    StrideH = sh, StrideW = sw, DilationH = dh, DilationW = dw, PadTop = pt, PadLeft = pl, PadBottom = pb, PadRight = pr,
                    Group = group, InputZeroPoint = xZp, WeightZeroPoint = Expand(wZp, (int)o), OutputZeroPoint = yZp,
                    // ONNX Runtime's x86-64 GEMM for int8 weights (u8s8, VPMADDUBSW) saturates pair sums to int16; its
                    // depthwise kernel (one input and one output channel per group) does not.
                    // A QLinearConv on int8 activations (QOperator form: no int8→uint8 conversion) runs ONNX Runtime's
                    // s8s8 kernels, which matched exact accumulation where u8s8 saturates (qop_conv_add_mul_gap_s8).
                    PairSaturation = _options.OrtX86PairSaturation && wType == DType.Int8 && wZp.All(z => z == 0) && !(ipg == 1 && o / group == 1)
                                     && !(qoperator && x.Type == DType.Int8),
                };
                if (yType != DType.Int32)
                {
                    // ONNX Runtime (qlinearconv.cc ComputeOutputScale): float32 X_scale * W_scale[i] / Y_scale.
                    opts.OutputScale = Enumerable.Range(0, (int)o).Select(i => (float)((float)(xScale * wScale[wScale.Length == 1 ? 0 : i]) / yScale)).ToArray();
                    opts.ActMin = yType == DType.UInt8 ? 0 : -128;
                    opts.ActMax = yType == DType.UInt8 ? 255 : 127;
                }
                var outVal = NewVal(outName, new[] { x.OnnxShape[0], o, oh, ow }, yType, true, yScale, yZp);
                Emit(OpType.QLinearConv, bt >= 0 ? new[] { x.Tensor, wt, bt } : new[] { x.Tensor, wt }, new[] { outVal.Tensor }, opts,
                     x.OnnxShape[0] * o * oh * ow * ipg * kh * kw);
            }

            private void EmitMatMul(OnnxNode n, Val a, int aZp, string bName, bool transB, int[] bZp, OnnxTensor bias, DType yType,
                                    string outName, float aScale, float[] bScale, float yScale, int yZp, bool qoperator = false)
            {
                if (a.Type != DType.Int8 && a.Type != DType.UInt8) throw Error($"input A is {a.Type}; int8 or uint8 needed");
                if (yType != DType.Int32) Annotate(a, aScale, aZp);
                a = ToOnnxLayout(NameOf(a), a);
                int bt;
                long[] bShape;
                if (_const.TryGetValue(bName, out var bc))
                {
                    var bType = MapType(bc.DataType, $"B '{bName}'", false, false);
                    bShape = bc.Dims.ToArray();
                    byte[] data = bc.Data;
                    if (transB)
                    {
                        if (bShape.Length != 2) throw Error("transB needs a 2-D B");
                        long rows = bShape[0], cols = bShape[1];
                        data = new byte[bc.Data.Length];
                        for (long r = 0; r < rows; r++) for (long cc = 0; cc < cols; cc++) data[cc * rows + r] = bc.Data[r * cols + cc];
                        bShape = new[] { cols, rows };
                    }
                    bt = _g.AddTensor(new EdgeTensor { Name = bName, DType = bType, Shape = bShape.Select(d => (int)d).ToArray(), Data = data });
                }
                else
                {
                    if (transB) throw Error("transB with an activation B is not supported");
                    var bv = ToOnnxLayout(bName, Value(bName, "B"));
                    if (bv.Type != DType.Int8 && bv.Type != DType.UInt8) throw Error($"B is {bv.Type}; int8 or uint8 needed");
                    bt = bv.Tensor; bShape = bv.OnnxShape;
                }
                if (a.OnnxShape.Length < 2 || bShape.Length < 2) throw Error("1-D MatMul operands are not supported");
                long m = a.OnnxShape[^2], k = a.OnnxShape[^1], nn = bShape[^1];
                if (bShape[^2] != k) throw Error($"A [{string.Join(",", a.OnnxShape)}] and B [{string.Join(",", bShape)}] do not multiply");
                int rank = Math.Max(a.OnnxShape.Length, bShape.Length);
                var outShape = new long[rank];
                for (int i = 0; i < rank - 2; i++)
                {
                    long da = i - (rank - a.OnnxShape.Length) >= 0 ? a.OnnxShape[i - (rank - a.OnnxShape.Length)] : 1;
                    long db = i - (rank - bShape.Length) >= 0 ? bShape[i - (rank - bShape.Length)] : 1;
                    if (da != db && da != 1 && db != 1) throw Error("batch dimensions do not broadcast");
                    outShape[i] = Math.Max(da, db);
                }
                outShape[rank - 2] = m; outShape[rank - 1] = nn;
                if (bZp.Length != 1 && bZp.Length != nn) throw Error($"B zero point has {bZp.Length} entries, expected 1 or {nn}");
                if (bScale != null && bScale.Length != 1 && bScale.Length != nn) throw Error($"B scale has {bScale.Length} entries, expected 1 or {nn}");
                int biasT = -1;
                if (bias != null)
                {
                    if (bias.ElementCount != nn) throw Error($"bias must have {nn} entries (per column)");
                    biasT = _g.AddTensor(new EdgeTensor { Name = bias.Name, DType = DType.Int32, Shape = new[] { (int)nn }, Data = (byte[])bias.Data.Clone() });
                }
                var opts = new QLinearMatMulOptions
                {
                    InputZeroPoint = aZp, WeightZeroPoint = Expand(bZp, (int)nn), OutputZeroPoint = yZp,
                    // ONNX Runtime's x86-64 u8s8 GEMM (VPMADDUBSW) saturates pair sums to int16.
                    // (Not for int8 A in the QOperator form: ONNX Runtime runs s8s8 there, as for QLinearConv.)
                    PairSaturation = _options.OrtX86PairSaturation && _g.Tensors[bt].DType == DType.Int8 && bZp.All(z => z == 0)
                                     && !(qoperator && a.Type == DType.Int8),
                };
                if (yType != DType.Int32)
                {
                    // ONNX Runtime (quantize_linear_matmul.cc): float32 a_scale * b_scale[i] / y_scale.
                    opts.OutputScale = Enumerable.Range(0, (int)nn).Select(i => (float)((float)(aScale * bScale[bScale.Length == 1 ? 0 : i]) / yScale)).ToArray();
                    opts.ActMin = yType == DType.UInt8 ? 0 : -128;
                    opts.ActMax = yType == DType.UInt8 ? 255 : 127;
                }
                var outVal = NewVal(outName, outShape, yType, false, yScale, yZp);
                long batches = outShape.Take(rank - 2).Aggregate(1L, (x, y) => x * y);
                Emit(OpType.QLinearMatMul, biasT >= 0 ? new[] { a.Tensor, bt, biasT } : new[] { a.Tensor, bt }, new[] { outVal.Tensor }, opts, batches * m * k * nn);
            }

            // ---- Values, layout and helpers -------------------------------------------------------------

            private readonly Dictionary<int, string> _names = new();
            private string NameOf(Val v) => _names.TryGetValue(v.Tensor, out var s) ? s : "";

            private Val NewVal(string name, long[] onnxShape, DType type, bool nhwc, float scale, int zp)
            {
                int[] shape = onnxShape.Select(d => checked((int)d)).ToArray();
                if (nhwc) shape = new[] { shape[0], shape[2], shape[3], shape[1] };
                var t = new EdgeTensor { Name = name, DType = type, Shape = shape };
                if (type == DType.Int8 || type == DType.UInt8) { t.Scales = new[] { scale }; t.ZeroPoints = new[] { zp }; }
                var v = new Val { Tensor = _g.AddTensor(t), Nhwc = nhwc, OnnxShape = onnxShape, Type = type, Scale = scale, ZeroPoint = zp };
                _vals[name] = v;
                _names[v.Tensor] = name;
                return v;
            }

            /// <summary>Records quantization parameters on an 8-bit tensor that has none yet (e.g. a QOperator model's uint8 input).</summary>
            private void Annotate(Val v, float scale, int zp)
            {
                var t = _g.Tensors[v.Tensor];
                if ((v.Type != DType.UInt8 && v.Type != DType.Int8) || !(scale > 0) || (t.Scales != null && t.Scales.Length == 1 && t.Scales[0] > 0)) return;
                t.Scales = new[] { scale }; t.ZeroPoints = new[] { zp };
                v.Scale = scale; v.ZeroPoint = zp;
            }

            private void SetPerChannel(Val v, float[] scale, int[] zp, int edgeAxis)
            {
                var t = _g.Tensors[v.Tensor];
                t.Scales = scale; t.ZeroPoints = zp; t.QuantizedDimension = edgeAxis;
            }

            private Val Value(string name, string what)
            {
                if (_vals.TryGetValue(name, out var v)) return v;
                if (_dq.TryGetValue(name, out var d)) return Materialize(name, d);
                if (_const.ContainsKey(name)) throw Error($"{what} '{name}' is a constant; Edge needs it to be computed (or supports it as a weight only)");
                throw Error($"{what} '{name}' is not produced by any supported node");
            }

            private Val ToNhwc(string name, Val v)
            {
                if (v.Nhwc) return v;
                if (v.OnnxShape.Length != 4) throw Error($"'{name}' must be rank 4 (NCHW)");
                if (_nhwcCache.TryGetValue(name + "#" + v.Tensor, out var c)) return c;
                var s = v.OnnxShape;
                var t = new EdgeTensor { Name = name + "/nhwc", DType = v.Type, Shape = new[] { (int)s[0], (int)s[2], (int)s[3], (int)s[1] } };
                CopyQuant(v, t);
                var r = new Val { Tensor = _g.AddTensor(t), Nhwc = true, OnnxShape = s, Type = v.Type, Scale = v.Scale, ZeroPoint = v.ZeroPoint };
                _names[r.Tensor] = name;
                Emit(OpType.Transpose, new[] { v.Tensor }, new[] { r.Tensor }, new TransposeOptions { Perm = new[] { 0, 2, 3, 1 } }, 0);
                _nhwcCache[name + "#" + v.Tensor] = r;
                return r;
            }

            private Val ToOnnxLayout(string name, Val v)
            {
                if (!v.Nhwc) return v;
                if (_onnxCache.TryGetValue(name + "#" + v.Tensor, out var c)) return c;
                var s = v.OnnxShape;
                var t = new EdgeTensor { Name = name + "/nchw", DType = v.Type, Shape = s.Select(d => (int)d).ToArray() };
                CopyQuant(v, t);
                var r = new Val { Tensor = _g.AddTensor(t), Nhwc = false, OnnxShape = s, Type = v.Type, Scale = v.Scale, ZeroPoint = v.ZeroPoint };
                _names[r.Tensor] = name;
                Emit(OpType.Transpose, new[] { v.Tensor }, new[] { r.Tensor }, new TransposeOptions { Perm = new[] { 0, 3, 1, 2 } }, 0);
                _onnxCache[name + "#" + v.Tensor] = r;
                return r;
            }

            private Val Copy(string name, Val v)
            {
                var src = _g.Tensors[v.Tensor];
                var t = new EdgeTensor { Name = name, DType = v.Type, Shape = (int[])src.Shape.Clone(), Scales = src.Scales, ZeroPoints = src.ZeroPoints, QuantizedDimension = src.QuantizedDimension };
                var r = new Val { Tensor = _g.AddTensor(t), Nhwc = v.Nhwc, OnnxShape = v.OnnxShape, Type = v.Type, Scale = v.Scale, ZeroPoint = v.ZeroPoint };
                Emit(OpType.Reshape, new[] { v.Tensor }, new[] { r.Tensor }, null, 0);
                return r;
            }

            private void CopyQuant(Val v, EdgeTensor t)
            {
                var src = _g.Tensors[v.Tensor];
                if (src.Scales == null) return;
                t.Scales = src.Scales; t.ZeroPoints = src.ZeroPoints; t.QuantizedDimension = src.QuantizedDimension;
                if (src.Scales.Length > 1) t.QuantizedDimension = 0;   // per-channel activations: only scalar params are carried
            }

            /// <summary>The Edge axis of ONNX axis <paramref name="a"/> for a value in its current layout.</summary>
            private static int EdgeAxis(Val v, int a) => !v.Nhwc ? a : a switch { 0 => 0, 1 => 3, 2 => 1, _ => 2 };

            private int Norm(int axis, int rank)
            {
                int a = axis < 0 ? axis + rank : axis;
                if (a < 0 || a >= rank) throw Error($"axis {axis} out of range for rank {rank}");
                return a;
            }

            private void Emit(OpType type, int[] inputs, int[] outputs, OpOptions options, long macs, OnnxNode source = null)
            {
                _g.Ops.Add(new EdgeOp { Type = type, Inputs = inputs, Outputs = outputs, Options = options, Macs = macs, SourceIndex = _nodeIndex });
            }

            private static int[] Expand(int[] v, int n) => v.Length == n ? v : Enumerable.Repeat(v[0], n).ToArray();

            private OnnxTensor Const(OnnxNode n, int input, string what)
            {
                if (input >= n.Inputs.Count || n.Inputs[input].Length == 0) throw Error($"{what} (input {input}) is missing");
                return ConstOf(n, n.Inputs[input], what);
            }

            private OnnxTensor ConstOf(OnnxNode n, string name, string what = "input")
            {
                if (_const.TryGetValue(name, out var t)) return t;
                throw Error($"{what} '{name}' must be a constant (initializer or Constant node); Edge precomputes quantization parameters on the host");
            }

            private float ScalarF(OnnxNode n, int input, string what)
            {
                var t = Const(n, input, what);
                var f = t.AsFloats();
                if (f.Length != 1) throw Error($"{what} must be a scalar");
                if (!(f[0] > 0) || float.IsInfinity(f[0])) throw Error($"{what} must be positive and finite");
                return f[0];
            }

            private int ScalarZp(OnnxNode n, int input)
            {
                var t = Const(n, input, "zero point");
                var v = t.AsInt64s();
                if (v.Length != 1) throw Error($"zero point '{t.Name}' must be a scalar");
                return (int)v[0];
            }

            /// <summary>An optional scalar zero point (0 when absent) whose element type must be the quantized value's.</summary>
            private int OptionalZp(OnnxNode n, int input, DType type, string what)
            {
                if (input >= n.Inputs.Count || n.Inputs[input].Length == 0) return 0;
                var t = Const(n, input, what);
                var zt = MapType(t.DataType, $"{what} '{t.Name}'", false, false);
                if (zt != type) throw Error($"{what} '{t.Name}' is {zt}, the quantized tensor is {type}");
                var v = t.AsInt64s();
                if (v.Length != 1) throw Error($"{what} '{t.Name}' must be a scalar (per-tensor quantization)");
                return (int)v[0];
            }

            /// <summary>The QLinear* contrib ops live in ONNX Runtime's com.microsoft domain.</summary>
            private void RequireMsDomain(OnnxNode n)
            {
                if (n.Domain != "com.microsoft") throw Error($"{n.OpType} is an ONNX Runtime contrib op: domain 'com.microsoft' expected, got '{n.Domain}'");
            }

            private int[] ConstInts(OnnxNode n, int input, string what) => Const(n, input, what).AsInt64s().Select(v => (int)v).ToArray();

            private DType TypeOfConst(OnnxNode n, int input, string what) => MapType(Const(n, input, what).DataType, what, false, false);

            private DType MapType(OnnxDataType t, string what, bool allowFloat, bool allowInt32) => t switch
            {
                OnnxDataType.Int8 => DType.Int8,
                OnnxDataType.UInt8 => DType.UInt8,
                OnnxDataType.Float when allowFloat => DType.Float32,
                OnnxDataType.Int32 when allowInt32 => DType.Int32,
                _ => throw Error($"{what} has element type {t}; Edge supports int8 and uint8 quantized tensors{(allowFloat ? " and float32 model inputs" : "")}"),
            };
        }
    }
}
