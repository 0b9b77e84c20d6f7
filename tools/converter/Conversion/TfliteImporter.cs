using System;
using System.Collections.Generic;
using System.Linq;
using Edge.Converter.Ir;
using Edge.Converter.Quantization;
using Edge.Converter.Tflite;
using Edge.Runtime;

namespace Edge.Converter.Conversion
{
    /// <summary>
    /// Lowers a full-integer INT8 TFLite model (subgraph 0) into the Edge IR: maps tensors, resolves paddings,
    /// masks and axes, and computes every constant each op needs exactly as TFLite Micro's Prepare does
    /// (tools/converter/Quantization). Anything unsupported raises <see cref="ConversionException"/> naming the op,
    /// its index and what is supported instead.
    /// </summary>
    public sealed class TfliteImporter
    {
        private readonly TfliteModel _m;
        private readonly EdgeGraph _g = new();
        private readonly Dictionary<int, int> _tensorMap = new();
        private TfliteOperator _op;
        private string _opName = "";

        public static readonly string[] SupportedOps =
        {
            "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "SUB", "MUL", "AVERAGE_POOL_2D", "MAX_POOL_2D",
            "RESHAPE", "SQUEEZE", "SOFTMAX", "LOGISTIC", "TANH", "RELU", "RELU6", "LEAKY_RELU", "HARD_SWISH", "PAD",
            "PADV2", "CONCATENATION", "MEAN", "QUANTIZE", "DEQUANTIZE", "TRANSPOSE", "STRIDED_SLICE",
            "CAST", "DIV", "MINIMUM", "MAXIMUM",
        };

        /// <summary>TFLite Micro signal-library custom ops (the micro_speech audio front end) Edge lowers.</summary>
        public static readonly string[] SupportedCustomOps =
        {
            "SignalWindow", "SignalFftAutoScale", "SignalRfft", "SignalEnergy", "SignalFilterBank",
            "SignalFilterBankSquareRoot", "SignalFilterBankSpectralSubtraction", "SignalPCAN", "SignalFilterBankLog",
        };

        private TfliteImporter(TfliteModel m) { _m = m; }

        public static EdgeGraph Import(TfliteModel model)
        {
            var imp = new TfliteImporter(model);
            imp.Run();
            return imp._g;
        }

        private void Run()
        {
            if (_m.SubgraphCount > 1)
                throw new ConversionException($"the model has {_m.SubgraphCount} subgraphs; Edge converts single-subgraph models (no IF/WHILE/CALL_ONCE control flow)");
            CheckFullInteger();
            foreach (var op in _m.Operators)
            {
                _op = op;
                _opName = _m.OpCode(op).Name;
                Lower(op);
            }
            foreach (int i in _m.Inputs) _g.Inputs.Add(Map(i));
            foreach (int o in _m.Outputs) _g.Outputs.Add(Map(o));
            foreach (var t in _g.Outputs.Concat(_g.Inputs))
                if (_g.Tensors[t].IsConstant) throw new ConversionException($"model input/output tensor '{_g.Tensors[t].Name}' is a constant");
        }

        /// <summary>Rejects float and hybrid models up front with a clear message.</summary>
        private void CheckFullInteger()
        {
            foreach (var op in _m.Operators)
            {
                var code = _m.OpCode(op);
                if (code.IsCustom)
                {
                    if (code.CustomCode != null && SupportedCustomOps.Contains(code.CustomCode)) continue;
                    throw Unsupported(op, code.Name, $"custom op '{code.CustomCode}' is not supported (supported custom ops: {string.Join(", ", SupportedCustomOps)})");
                }
                if (!SupportedOps.Contains(code.Name))
                    throw Unsupported(op, code.Name, $"op {code.Name} is not supported");
                bool compute = code.Name is "CONV_2D" or "DEPTHWISE_CONV_2D" or "FULLY_CONNECTED" or "ADD" or "SUB" or "MUL"
                    or "AVERAGE_POOL_2D" or "MAX_POOL_2D" or "SOFTMAX" or "LOGISTIC" or "TANH" or "MEAN";
                if (!compute) continue;
                foreach (int i in op.Inputs.Concat(op.Outputs))
                {
                    if (i < 0) continue;
                    var t = _m.Tensors[i];
                    if (t.Type == TfliteTensorType.Float32 || t.Type == TfliteTensorType.Float16)
                    {
                        bool hybrid = _m.GetConstantData(t) == null && op.Inputs.Skip(1).Any(w => w >= 0 && _m.Tensors[w].Type == TfliteTensorType.Int8);
                        throw Unsupported(op, code.Name, hybrid
                            ? $"hybrid model: op {code.Name} takes float activations with int8 weights (tensor '{t.Name}'). Edge needs a full-integer INT8 model: convert with tf.lite.Optimize.DEFAULT and a representative dataset, inference_input/output_type int8 or float with QUANTIZE/DEQUANTIZE at the edges"
                            : $"float model: op {code.Name} computes in float32 (tensor '{t.Name}'). Edge needs a full-integer INT8 model (post-training integer quantization with a representative dataset)");
                    }
                }
            }
        }

        private ConversionException Unsupported(TfliteOperator op, string name, string what) =>
            new($"{what} (op #{op.Index} {name}). Supported ops: {string.Join(", ", SupportedOps)}");

        private ConversionException Fail(string what) =>
            new($"op #{_op.Index} {_opName}: {what}");

        // ---------------------------------------------------------------------------------------------------
        // Tensors
        // ---------------------------------------------------------------------------------------------------

        private static DType MapType(TfliteTensorType t, Func<string, Exception> fail) => t switch
        {
            TfliteTensorType.Int8 => DType.Int8,
            TfliteTensorType.UInt8 => DType.UInt8,
            TfliteTensorType.Int16 => DType.Int16,
            TfliteTensorType.Int32 => DType.Int32,
            TfliteTensorType.Float32 => DType.Float32,
            TfliteTensorType.UInt32 => DType.UInt32,
            TfliteTensorType.UInt64 => DType.UInt64,
            _ => throw fail($"tensor type {t} is not supported (supported: int8, uint8, int16, int32, uint32, uint64, float32)"),
        };

        /// <summary>The Edge tensor for a TFLite tensor (created on first use, constants copied).</summary>
        private int Map(int tfl)
        {
            if (_tensorMap.TryGetValue(tfl, out int e)) return e;
            var t = _m.Tensors[tfl];
            if (t.HasSparsity) throw Fail($"tensor '{t.Name}' is sparse; sparse tensors are not supported");
            var et = new EdgeTensor
            {
                Name = t.Name,
                DType = MapType(t.Type, msg => Fail($"tensor '{t.Name}': {msg}")),
                Shape = (int[])t.Shape.Clone(),
                Data = _m.GetConstantData(t),
            };
            if (t.Quantization is { IsQuantized: true } q)
            {
                if (q.DetailsType != 0) throw Fail($"tensor '{t.Name}' uses a custom quantization scheme");
                et.Scales = (float[])q.Scale.Clone();
                et.ZeroPoints = q.ZeroPoint.Select(z => checked((int)z)).ToArray();
                et.QuantizedDimension = q.QuantizedDimension;
            }
            if (et.Data != null && et.Data.Length != et.SizeBytes)
                throw Fail($"constant tensor '{t.Name}' holds {et.Data.Length} bytes, its shape needs {et.SizeBytes}");
            e = _g.AddTensor(et);
            _tensorMap[tfl] = e;
            return e;
        }

        private TfliteTensor In(int i)
        {
            if (i >= _op.Inputs.Length || _op.Inputs[i] < 0) throw Fail($"missing input {i}");
            return _m.Tensors[_op.Inputs[i]];
        }

        private TfliteTensor OptIn(int i) => i < _op.Inputs.Length && _op.Inputs[i] >= 0 ? _m.Tensors[_op.Inputs[i]] : null;
        private TfliteTensor Out(int i = 0) => _m.Tensors[_op.Outputs[i]];

        private void RequireType(TfliteTensor t, TfliteTensorType type, string what)
        {
            if (t.Type != type) throw Fail($"{what} '{t.Name}' is {t.Type}; Edge supports {type} here");
        }

        private (float scale, int zp) PerTensor(TfliteTensor t, string what)
        {
            if (t.Quantization is not { IsQuantized: true } q) throw Fail($"{what} '{t.Name}' is not quantized");
            if (q.Scale.Length != 1) throw Fail($"{what} '{t.Name}' must be quantized per tensor, has {q.Scale.Length} scales");
            return (q.Scale[0], checked((int)q.ZeroPoint[0]));
        }

        private byte[] ConstData(TfliteTensor t, string what) =>
            _m.GetConstantData(t) ?? throw Fail($"{what} '{t.Name}' must be a constant tensor");

        private int[] ConstInts(TfliteTensor t, string what)
        {
            var d = ConstData(t, what);
            if (t.Type == TfliteTensorType.Int32)
                return Enumerable.Range(0, d.Length / 4).Select(i => BitConverter.ToInt32(d, 4 * i)).ToArray();
            if (t.Type == TfliteTensorType.Int64)
                return Enumerable.Range(0, d.Length / 8).Select(i => checked((int)BitConverter.ToInt64(d, 8 * i))).ToArray();
            throw Fail($"{what} '{t.Name}' must be int32 or int64");
        }

        private int AddConstInt32(string name, int[] values)
        {
            var data = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(data.AsSpan(4 * i), values[i]);
            return _g.AddTensor(new EdgeTensor { Name = name, DType = DType.Int32, Shape = new[] { values.Length }, Data = data });
        }

        private EdgeOp Emit(OpType type, int[] inputs, OpOptions options, long macs = 0)
        {
            var op = new EdgeOp
            {
                Type = type,
                Inputs = inputs,
                Outputs = _op.Outputs.Select(Map).ToArray(),
                Options = options,
                Macs = macs,
                SourceIndex = _op.Index,
            };
            _g.Ops.Add(op);
            return op;
        }

        private static FusedActivation Act(TfliteActivation a) => (FusedActivation)(int)a;

        private void RequireActivation(TfliteActivation a)
        {
            if (a is TfliteActivation.Tanh or TfliteActivation.SignBit)
                throw Fail($"fused activation {a} is not supported (NONE, RELU, RELU_N1_TO_1, RELU6 are)");
        }

        // ---------------------------------------------------------------------------------------------------
        // Ops
        // ---------------------------------------------------------------------------------------------------

        private void Lower(TfliteOperator op)
        {
            if (op.Outputs.Length == 0) throw Fail("operator has no outputs");
            try
            {
                switch (_opName)
                {
                    case "CONV_2D": Conv2D(); break;
                    case "DEPTHWISE_CONV_2D": DepthwiseConv2D(); break;
                    case "FULLY_CONNECTED": FullyConnected(); break;
                    case "ADD": AddSub(OpType.Add); break;
                    case "SUB": AddSub(OpType.Sub); break;
                    case "MUL": Mul(); break;
                    case "AVERAGE_POOL_2D": Pool(OpType.AveragePool2D); break;
                    case "MAX_POOL_2D": Pool(OpType.MaxPool2D); break;
                    case "RESHAPE":
                    case "SQUEEZE": Reshape(); break;
                    case "SOFTMAX": Softmax(); break;
                    case "LOGISTIC": SigmoidTanh(OpType.Logistic); break;
                    case "TANH": SigmoidTanh(OpType.Tanh); break;
                    case "RELU": Relu(false); break;
                    case "RELU6": Relu(true); break;
                    case "LEAKY_RELU": LeakyRelu(); break;
                    case "HARD_SWISH": HardSwish(); break;
                    case "PAD":
                    case "PADV2": Pad(); break;
                    case "CONCATENATION": Concatenation(); break;
                    case "MEAN": Mean(); break;
                    case "QUANTIZE": Quantize(); break;
                    case "DEQUANTIZE": Dequantize(); break;
                    case "TRANSPOSE": Transpose(); break;
                    case "STRIDED_SLICE": StridedSlice(); break;
                    case "CAST": CastOp(); break;
                    case "DIV": IntegerArithmetic(OpType.Div, OptionsOrDefault<TfliteDivOptions>().FusedActivation); break;
                    case "MINIMUM": IntegerArithmetic(OpType.Minimum, TfliteActivation.None); break;
                    case "MAXIMUM": IntegerArithmetic(OpType.Maximum, TfliteActivation.None); break;
                    case "SignalWindow": SignalWindow(); break;
                    case "SignalFftAutoScale": SignalFftAutoScale(); break;
                    case "SignalRfft": SignalRfft(); break;
                    case "SignalEnergy": SignalEnergy(); break;
                    case "SignalFilterBank": SignalFilterBank(); break;
                    case "SignalFilterBankSquareRoot": SignalFilterBankSquareRoot(); break;
                    case "SignalFilterBankSpectralSubtraction": SignalSpectralSubtraction(); break;
                    case "SignalPCAN": SignalPcan(); break;
                    case "SignalFilterBankLog": SignalFilterBankLog(); break;
                    default: throw Unsupported(op, _opName, $"op {_opName} is not supported");
                }
            }
            catch (ArgumentException e)
            {
                // Host constant computation rejected the quantization (TFLM would fail Prepare the same way).
                throw Fail(e.Message);
            }
        }

        private T Options<T>() where T : TfliteOptions =>
            _op.BuiltinOptions as T ?? throw Fail($"missing or wrong builtin options (expected {typeof(T).Name.Replace("Tflite", "")})");

        private T OptionsOrDefault<T>() where T : TfliteOptions, new() => _op.BuiltinOptions as T ?? new T();

        /// <summary>TFLite's output size and explicit paddings for SAME/VALID (ComputePaddingHeightWidth).</summary>
        private static (int outSize, int before, int after) Padding(TflitePadding p, int input, int filter, int stride, int dilation)
        {
            int effective = (filter - 1) * dilation + 1;
            int output = p == TflitePadding.Same ? (input + stride - 1) / stride : (input - effective + stride) / stride;
            int total = Math.Max((output - 1) * stride + effective - input, 0);
            return (output, total / 2, total - total / 2);
        }

        private void CheckOutputShape(int[] expected)
        {
            var o = Out();
            if (!o.Shape.SequenceEqual(expected))
                throw Fail($"output '{o.Name}' has shape [{string.Join(",", o.Shape)}], expected [{string.Join(",", expected)}]");
        }

        /// <summary>An int8 → int8 op's per-tensor quantization: (input scale, input zp, output scale, output zp).</summary>
        private (float si, int zi, float so, int zo) Int8Unary()
        {
            TfliteTensor input = In(0), output = Out();
            CheckInt8Io(input, output);
            var (si, zi) = PerTensor(input, "input");
            var (so, zo) = PerTensor(output, "output");
            return (si, zi, so, zo);
        }

        private void CheckInt8Io(params TfliteTensor[] ts)
        {
            foreach (var t in ts) RequireType(t, TfliteTensorType.Int8, t == Out() ? "output" : "input");
        }

        private (int[] mult, int[] shift, int[] folded, float inScale, int inZp, int outZp) ConvConstants(
            TfliteTensor input, TfliteTensor filter, TfliteTensor bias, TfliteTensor output, int outChannels, bool depthwise, int channelAxis)
        {
            RequireType(filter, TfliteTensorType.Int8, "filter");
            var (inScale, inZp) = PerTensor(input, "input");
            var (outScale, outZp) = PerTensor(output, "output");
            if (filter.Quantization is not { IsQuantized: true } fq) throw Fail($"filter '{filter.Name}' is not quantized");
            if (fq.ZeroPoint.Any(z => z != 0)) throw Fail($"filter '{filter.Name}' has non-zero zero points; TFLite int8 weights are symmetric");
            if (fq.Scale.Length > 1 && (fq.QuantizedDimension != channelAxis || fq.Scale.Length != outChannels))
                throw Fail($"filter '{filter.Name}' is per-channel along axis {fq.QuantizedDimension} with {fq.Scale.Length} scales; expected axis {channelAxis} with {outChannels}");
            var cm = QuantMath.PopulateConvolutionQuantizationParams(inScale, fq.Scale, outScale, outChannels);
            int[] biasValues = null;
            if (bias != null)
            {
                RequireType(bias, TfliteTensorType.Int32, "bias");
                biasValues = ConstInts(bias, "bias");
                if (biasValues.Length != outChannels) throw Fail($"bias '{bias.Name}' has {biasValues.Length} values for {outChannels} output channels");
            }
            var w = ConstData(filter, "filter");
            int[] folded = depthwise
                ? QuantMath.FoldBiasDepthwise(w, outChannels, biasValues, inZp)
                : QuantMath.FoldBiasOutputChannelOuter(w, outChannels, biasValues, inZp);
            return (cm.Multipliers, cm.Shifts, folded, inScale, inZp, outZp);
        }

        private int FoldedBiasTensor(TfliteTensor bias, TfliteTensor output, int[] folded) =>
            AddConstInt32((bias?.Name ?? output.Name + "/bias") + "/folded", folded);

        private void Conv2D()
        {
            var o = Options<TfliteConv2DOptions>();
            RequireActivation(o.FusedActivation);
            TfliteTensor input = In(0), filter = In(1), bias = OptIn(2), output = Out();
            CheckInt8Io(input, output);
            if (input.Shape.Length != 4 || filter.Shape.Length != 4) throw Fail("input and filter must be 4-D");
            int outC = filter.Shape[0];
            if (filter.Shape[3] <= 0 || input.Shape[3] % filter.Shape[3] != 0 || outC % (input.Shape[3] / filter.Shape[3]) != 0)
                throw Fail($"filter depth {filter.Shape[3]} does not divide input depth {input.Shape[3]} into groups");
            if (o.StrideH <= 0 || o.StrideW <= 0 || o.DilationHFactor <= 0 || o.DilationWFactor <= 0) throw Fail("strides and dilations must be positive");
            var (oh, pt, pb) = Padding(o.Padding, input.Shape[1], filter.Shape[1], o.StrideH, o.DilationHFactor);
            var (ow, pl, pr) = Padding(o.Padding, input.Shape[2], filter.Shape[2], o.StrideW, o.DilationWFactor);
            CheckOutputShape(new[] { input.Shape[0], oh, ow, outC });
            var (mult, shift, folded, _, inZp, outZp) = ConvConstants(input, filter, bias, output, outC, false, 0);
            var (outScale, _) = PerTensor(output, "output");
            var r = QuantMath.CalculateActivationRangeQuantized(Act(o.FusedActivation), outScale, outZp);
            long macs = (long)input.Shape[0] * oh * ow * outC * filter.Shape[1] * filter.Shape[2] * filter.Shape[3];
            Emit(OpType.Conv2D, new[] { Map(_op.Inputs[0]), Map(_op.Inputs[1]), FoldedBiasTensor(bias, output, folded) },
                new Conv2DOptions
                {
                    StrideW = o.StrideW, StrideH = o.StrideH, DilationW = o.DilationWFactor, DilationH = o.DilationHFactor,
                    PadTop = pt, PadBottom = pb, PadLeft = pl, PadRight = pr,
                    InputZeroPoint = inZp, OutputZeroPoint = outZp, ActMin = r.Min, ActMax = r.Max,
                    OutputMultiplier = mult, OutputShift = shift,
                }, macs);
        }

        private void DepthwiseConv2D()
        {
            var o = Options<TfliteDepthwiseConv2DOptions>();
            RequireActivation(o.FusedActivation);
            TfliteTensor input = In(0), filter = In(1), bias = OptIn(2), output = Out();
            CheckInt8Io(input, output);
            if (input.Shape.Length != 4 || filter.Shape.Length != 4 || filter.Shape[0] != 1) throw Fail("input must be 4-D and the filter [1, kh, kw, channels]");
            int outC = filter.Shape[3];
            int inC = input.Shape[3];
            if (inC <= 0 || outC % inC != 0) throw Fail($"filter channels {outC} are not a multiple of input channels {inC}");
            int depthMultiplier = outC / inC;
            if (o.StrideH <= 0 || o.StrideW <= 0 || o.DilationHFactor <= 0 || o.DilationWFactor <= 0) throw Fail("strides and dilations must be positive");
            var (oh, pt, pb) = Padding(o.Padding, input.Shape[1], filter.Shape[1], o.StrideH, o.DilationHFactor);
            var (ow, pl, pr) = Padding(o.Padding, input.Shape[2], filter.Shape[2], o.StrideW, o.DilationWFactor);
            CheckOutputShape(new[] { input.Shape[0], oh, ow, outC });
            var (mult, shift, folded, _, inZp, outZp) = ConvConstants(input, filter, bias, output, outC, true, 3);
            var (outScale, _) = PerTensor(output, "output");
            var r = QuantMath.CalculateActivationRangeQuantized(Act(o.FusedActivation), outScale, outZp);
            long macs = (long)input.Shape[0] * oh * ow * outC * filter.Shape[1] * filter.Shape[2];
            Emit(OpType.DepthwiseConv2D, new[] { Map(_op.Inputs[0]), Map(_op.Inputs[1]), FoldedBiasTensor(bias, output, folded) },
                new DepthwiseConv2DOptions
                {
                    StrideW = o.StrideW, StrideH = o.StrideH, DilationW = o.DilationWFactor, DilationH = o.DilationHFactor,
                    PadTop = pt, PadBottom = pb, PadLeft = pl, PadRight = pr, DepthMultiplier = depthMultiplier,
                    InputZeroPoint = inZp, OutputZeroPoint = outZp, ActMin = r.Min, ActMax = r.Max,
                    OutputMultiplier = mult, OutputShift = shift,
                }, macs);
        }

        private void FullyConnected()
        {
            var o = OptionsOrDefault<TfliteFullyConnectedOptions>();
            RequireActivation(o.FusedActivation);
            if (o.WeightsFormat != TfliteFullyConnectedWeightsFormat.Default) throw Fail("shuffled weights format is not supported");
            TfliteTensor input = In(0), weights = In(1), bias = OptIn(2), output = Out();
            CheckInt8Io(input, output);
            RequireType(weights, TfliteTensorType.Int8, "weights");
            if (weights.Shape.Length != 2) throw Fail("weights must be 2-D [units, depth]");
            int units = weights.Shape[0], depth = weights.Shape[1];
            long inCount = input.Shape.Aggregate(1L, (a, b) => a * b);
            if (depth <= 0 || inCount % depth != 0) throw Fail($"input [{string.Join(",", input.Shape)}] does not flatten to rows of {depth}");
            long batches = inCount / depth;
            long outCount = output.Shape.Aggregate(1L, (a, b) => a * b);
            if (outCount != batches * units) throw Fail($"output [{string.Join(",", output.Shape)}] should hold {batches} x {units} values");
            var (inScale, inZp) = PerTensor(input, "input");
            var (outScale, outZp) = PerTensor(output, "output");
            if (weights.Quantization is not { IsQuantized: true } wq) throw Fail($"weights '{weights.Name}' are not quantized");
            if (wq.ZeroPoint.Any(z => z != 0)) throw Fail($"weights '{weights.Name}' have non-zero zero points");
            if (wq.Scale.Length > 1 && (wq.Scale.Length != units || wq.QuantizedDimension != 0))
                throw Fail($"weights '{weights.Name}' are per-channel along axis {wq.QuantizedDimension} with {wq.Scale.Length} scales; expected axis 0 with {units}");
            var cm = QuantMath.FullyConnectedMultipliers(inScale, wq.Scale, outScale, units);
            int[] biasValues = null;
            if (bias != null)
            {
                RequireType(bias, TfliteTensorType.Int32, "bias");
                biasValues = ConstInts(bias, "bias");
                if (biasValues.Length != units) throw Fail($"bias has {biasValues.Length} values for {units} units");
            }
            var folded = QuantMath.FoldBiasOutputChannelOuter(ConstData(weights, "weights"), units, biasValues, inZp);
            var r = QuantMath.CalculateActivationRangeQuantized(Act(o.FusedActivation), outScale, outZp);
            Emit(OpType.FullyConnected, new[] { Map(_op.Inputs[0]), Map(_op.Inputs[1]), FoldedBiasTensor(bias, output, folded) },
                new FullyConnectedOptions
                {
                    InputZeroPoint = inZp, OutputZeroPoint = outZp, ActMin = r.Min, ActMax = r.Max,
                    OutputMultiplier = cm.Multipliers, OutputShift = cm.Shifts,
                }, batches * units * depth);
        }

        private void CheckBroadcast(TfliteTensor a, TfliteTensor b, TfliteTensor output)
        {
            int rank = Math.Max(a.Shape.Length, b.Shape.Length);
            if (rank > 4) throw Fail("broadcasting is supported up to 4-D");
            var expected = new int[rank];
            for (int i = 0; i < rank; i++)
            {
                int da = i - (rank - a.Shape.Length) >= 0 ? a.Shape[i - (rank - a.Shape.Length)] : 1;
                int db = i - (rank - b.Shape.Length) >= 0 ? b.Shape[i - (rank - b.Shape.Length)] : 1;
                if (da != db && da != 1 && db != 1) throw Fail($"shapes [{string.Join(",", a.Shape)}] and [{string.Join(",", b.Shape)}] do not broadcast");
                expected[i] = Math.Max(da, db);
            }
            CheckOutputShape(expected);
        }

        private void AddSub(OpType type)
        {
            TfliteActivation act = type == OpType.Add ? OptionsOrDefault<TfliteAddOptions>().FusedActivation : OptionsOrDefault<TfliteSubOptions>().FusedActivation;
            RequireActivation(act);
            if (Out().Type == TfliteTensorType.Int32) { IntegerArithmetic(type, act); return; }
            TfliteTensor a = In(0), b = In(1), output = Out();
            CheckInt8Io(a, b, output);
            CheckBroadcast(a, b, output);
            var (s1, z1) = PerTensor(a, "input 1");
            var (s2, z2) = PerTensor(b, "input 2");
            var (so, zo) = PerTensor(output, "output");
            var p = type == OpType.Add
                ? QuantMath.AddParams(s1, z1, s2, z2, so, zo, Act(act))
                : QuantMath.SubParams(s1, z1, s2, z2, so, zo, Act(act));
            Emit(type, new[] { Map(_op.Inputs[0]), Map(_op.Inputs[1]) }, new AddSubOptions
            {
                LeftShift = p.LeftShift,
                Input1Offset = p.Input1Offset, Input1Multiplier = p.Input1Multiplier, Input1Shift = p.Input1Shift,
                Input2Offset = p.Input2Offset, Input2Multiplier = p.Input2Multiplier, Input2Shift = p.Input2Shift,
                OutputOffset = p.OutputOffset, OutputMultiplier = p.OutputMultiplier, OutputShift = p.OutputShift,
                ActMin = p.ActMin, ActMax = p.ActMax,
            });
        }

        private void Mul()
        {
            var act = OptionsOrDefault<TfliteMulOptions>().FusedActivation;
            RequireActivation(act);
            if (Out().Type == TfliteTensorType.Int32) { IntegerArithmetic(OpType.Mul, act); return; }
            TfliteTensor a = In(0), b = In(1), output = Out();
            CheckInt8Io(a, b, output);
            CheckBroadcast(a, b, output);
            var (s1, z1) = PerTensor(a, "input 1");
            var (s2, z2) = PerTensor(b, "input 2");
            var (so, zo) = PerTensor(output, "output");
            var p = QuantMath.MulParams(s1, z1, s2, z2, so, zo, Act(act));
            Emit(OpType.Mul, new[] { Map(_op.Inputs[0]), Map(_op.Inputs[1]) }, new MulOptions
            {
                Input1Offset = p.Input1Offset, Input2Offset = p.Input2Offset, OutputOffset = p.OutputOffset,
                OutputMultiplier = p.OutputMultiplier, OutputShift = p.OutputShift, ActMin = p.ActMin, ActMax = p.ActMax,
            }, Out().Shape.Aggregate(1L, (x, y) => x * y));
        }

        private void Pool(OpType type)
        {
            var o = Options<TflitePool2DOptions>();
            RequireActivation(o.FusedActivation);
            TfliteTensor input = In(0), output = Out();
            CheckInt8Io(input, output);
            if (input.Shape.Length != 4) throw Fail("input must be 4-D");
            var (si, zi) = PerTensor(input, "input");
            var (so, zo) = PerTensor(output, "output");
            if (si != so || zi != zo) throw Fail("pooling requires identical input and output quantization (as TFLite Micro)");
            if (o.StrideH <= 0 || o.StrideW <= 0 || o.FilterHeight <= 0 || o.FilterWidth <= 0) throw Fail("strides and filter sizes must be positive");
            var (oh, pt, pb) = Padding(o.Padding, input.Shape[1], o.FilterHeight, o.StrideH, 1);
            var (ow, pl, pr) = Padding(o.Padding, input.Shape[2], o.FilterWidth, o.StrideW, 1);
            CheckOutputShape(new[] { input.Shape[0], oh, ow, input.Shape[3] });
            var r = QuantMath.CalculateActivationRangeQuantized(Act(o.FusedActivation), so, zo);
            Emit(type, new[] { Map(_op.Inputs[0]) }, new Pool2DOptions
            {
                StrideW = o.StrideW, StrideH = o.StrideH, FilterW = o.FilterWidth, FilterH = o.FilterHeight,
                PadTop = pt, PadBottom = pb, PadLeft = pl, PadRight = pr, ActMin = r.Min, ActMax = r.Max,
            }, (long)input.Shape[0] * oh * ow * input.Shape[3] * o.FilterHeight * o.FilterWidth);
        }

        private void Reshape()
        {
            TfliteTensor input = In(0), output = Out();
            if (input.Type != output.Type) throw Fail("input and output types differ");
            long a = input.Shape.Aggregate(1L, (x, y) => x * y), b = output.Shape.Aggregate(1L, (x, y) => x * y);
            if (a != b) throw Fail($"input [{string.Join(",", input.Shape)}] and output [{string.Join(",", output.Shape)}] differ in element count");
            if (input.Quantization?.IsQuantized == true && output.Quantization?.IsQuantized == true)
            {
                var (si, zi) = PerTensor(input, "input");
                var (so, zo) = PerTensor(output, "output");
                if (si != so || zi != zo) throw Fail("input and output quantization differ");
            }
            Emit(OpType.Reshape, new[] { Map(_op.Inputs[0]) }, null);
        }

        private void Softmax()
        {
            var o = Options<TfliteSoftmaxOptions>();
            var (si, _, so, zo) = Int8Unary();
            Emit(OpType.Softmax, new[] { Map(_op.Inputs[0]) }, NonlinearParams.Softmax(o.Beta, si, so, zo));
        }

        private void SigmoidTanh(OpType type)
        {
            var (si, zi, so, zo) = Int8Unary();
            Emit(type, new[] { Map(_op.Inputs[0]) },
                type == OpType.Logistic ? NonlinearParams.Logistic(si, zi, so, zo) : NonlinearParams.Tanh(si, zi, so, zo));
        }

        private void Relu(bool six)
        {
            var (si, zi, so, zo) = Int8Unary();
            var p = six ? QuantMath.Relu6Params(si, zi) : QuantMath.ReluParams(si, zi, so, zo);
            Emit(six ? OpType.Relu6 : OpType.Relu, new[] { Map(_op.Inputs[0]) }, Requant(p));
        }

        private static RequantizeOptions Requant(RequantizeParams p) => new()
        {
            InputOffset = p.InputOffset, OutputOffset = p.OutputOffset, OutputMultiplier = p.OutputMultiplier,
            OutputShift = p.OutputShift, ActMin = p.ActMin, ActMax = p.ActMax,
        };

        private void LeakyRelu()
        {
            var o = Options<TfliteLeakyReluOptions>();
            var (si, zi, so, zo) = Int8Unary();
            var p = QuantMath.LeakyReluParams(si, zi, so, zo, o.Alpha);
            Emit(OpType.LeakyRelu, new[] { Map(_op.Inputs[0]) }, new LeakyReluOptions
            {
                InputOffset = p.InputOffset, OutputOffset = p.OutputOffset,
                OutputMultiplierIdentity = p.OutputMultiplierIdentity, OutputShiftIdentity = p.OutputShiftIdentity,
                OutputMultiplierAlpha = p.OutputMultiplierAlpha, OutputShiftAlpha = p.OutputShiftAlpha,
            });
        }

        private void HardSwish()
        {
            var (si, zi, so, zo) = Int8Unary();
            Emit(OpType.HardSwish, new[] { Map(_op.Inputs[0]) }, NonlinearParams.HardSwish(si, zi, so, zo));
        }

        private void Pad()
        {
            TfliteTensor input = In(0), paddings = In(1), output = Out();
            CheckInt8Io(input, output);
            var (si, zi) = PerTensor(input, "input");
            var (so, zo) = PerTensor(output, "output");
            if (si != so || zi != zo) throw Fail("input and output quantization differ");
            int rank = input.Shape.Length;
            var pads = ConstInts(paddings, "paddings");
            if (pads.Length != 2 * rank) throw Fail($"paddings hold {pads.Length} values for a rank-{rank} input");
            if (pads.Any(p => p < 0)) throw Fail("negative paddings are not supported");
            var expected = input.Shape.Select((d, i) => d + pads[2 * i] + pads[2 * i + 1]).ToArray();
            CheckOutputShape(expected);
            int value = zo;
            var constant = OptIn(2);
            if (_opName == "PADV2" && constant != null)
            {
                RequireType(constant, TfliteTensorType.Int8, "pad value");
                var (sc, zc) = PerTensor(constant, "pad value");
                if (sc != so || zc != zo) throw Fail("pad value quantization differs from the output's");
                value = (sbyte)ConstData(constant, "pad value")[0];
            }
            Emit(OpType.Pad, new[] { Map(_op.Inputs[0]) }, new PadOptions { Paddings = pads, PadValue = value });
        }

        private void Concatenation()
        {
            var o = Options<TfliteConcatenationOptions>();
            if (o.FusedActivation != TfliteActivation.None) throw Fail("fused activations on CONCATENATION are not supported");
            var output = Out();
            int rank = output.Shape.Length;
            int axis = o.Axis < 0 ? o.Axis + rank : o.Axis;
            if (axis < 0 || axis >= rank) throw Fail($"axis {o.Axis} out of range for rank {rank}");
            if (output.Type == TfliteTensorType.Int32) { ConcatenationInt32(axis); return; }
            RequireType(output, TfliteTensorType.Int8, "output");
            var (so, zo) = PerTensor(output, "output");
            var inputs = _op.Inputs.Where(i => i >= 0).ToArray();
            int sum = 0;
            var scales = new List<float>();
            var zps = new List<int>();
            foreach (int i in inputs)
            {
                var t = _m.Tensors[i];
                RequireType(t, TfliteTensorType.Int8, "input");
                if (t.Shape.Length != rank) throw Fail("inputs must have the output's rank");
                for (int d = 0; d < rank; d++)
                    if (d != axis && t.Shape[d] != output.Shape[d]) throw Fail($"input '{t.Name}' shape [{string.Join(",", t.Shape)}] does not match the output off the axis");
                sum += t.Shape[axis];
                var (s, z) = PerTensor(t, "input");
                scales.Add(s); zps.Add(z);
            }
            if (sum != output.Shape[axis]) throw Fail($"inputs add up to {sum} along axis {axis}, output has {output.Shape[axis]}");
            // TFLite requires every int8 input to share the output's quantization (concatenation.cc Prepare);
            // TFLite Micro then copies bytes.
            if (scales.Any(s => s != so) || zps.Any(z => z != zo))
                throw Fail("int8 inputs must share the output's scale and zero point (TFLite requires it for int8 CONCATENATION)");
            bool requant = false;
            Emit(OpType.Concatenation, inputs.Select(Map).ToArray(), new ConcatenationOptions
            {
                Axis = axis, Requantize = requant, InputScale = scales.ToArray(), InputZeroPoint = zps.ToArray(),
                OutputScale = so, OutputZeroPoint = zo,
            });
        }

        private void Mean()
        {
            var o = OptionsOrDefault<TfliteReducerOptions>();
            TfliteTensor input = In(0), axesT = In(1), output = Out();
            CheckInt8Io(input, output);
            int rank = input.Shape.Length;
            var axes = ConstInts(axesT, "axis").Select(a => a < 0 ? a + rank : a).ToArray();
            if (axes.Any(a => a < 0 || a >= rank)) throw Fail("axis out of range");
            axes = axes.Distinct().OrderBy(a => a).ToArray();
            var expected = new List<int>();
            for (int d = 0; d < rank; d++)
            {
                if (!axes.Contains(d)) expected.Add(input.Shape[d]);
                else if (o.KeepDims) expected.Add(1);
            }
            long outCount = output.Shape.Aggregate(1L, (x, y) => x * y);
            if (outCount != expected.Aggregate(1L, (x, y) => x * y)) throw Fail("output shape does not match the reduction");
            var (si, zi) = PerTensor(input, "input");
            var (so, zo) = PerTensor(output, "output");
            Emit(OpType.Mean, new[] { Map(_op.Inputs[0]) }, NonlinearParams.Mean(input.Shape, axes, o.KeepDims, si, zi, so, zo, output.Shape));
        }

        private void Quantize()
        {
            TfliteTensor input = In(0), output = Out();
            RequireType(output, TfliteTensorType.Int8, "output");
            var (so, zo) = PerTensor(output, "output");
            if (input.Type == TfliteTensorType.Float32)
            {
                Emit(OpType.Quantize, new[] { Map(_op.Inputs[0]) }, new AffineQuantizeOptions { Scale = so, ZeroPoint = zo });
                return;
            }
            RequireType(input, TfliteTensorType.Int8, "input");
            var (si, zi) = PerTensor(input, "input");
            Emit(OpType.Quantize, new[] { Map(_op.Inputs[0]) }, Requant(QuantMath.RequantizeParams(si, zi, so, zo)));
        }

        private void Dequantize()
        {
            TfliteTensor input = In(0), output = Out();
            RequireType(input, TfliteTensorType.Int8, "input");
            RequireType(output, TfliteTensorType.Float32, "output");
            var (si, zi) = PerTensor(input, "input");
            Emit(OpType.Dequantize, new[] { Map(_op.Inputs[0]) }, new AffineQuantizeOptions { Scale = si, ZeroPoint = zi });
        }

        private void Transpose()
        {
            TfliteTensor input = In(0), permT = In(1), output = Out();
            CheckInt8Io(input, output);
            int rank = input.Shape.Length;
            var perm = ConstInts(permT, "perm").Select(p => p < 0 ? p + rank : p).ToArray();
            if (perm.Length != rank || perm.OrderBy(p => p).Where((p, i) => p != i).Any()) throw Fail("perm is not a permutation of the input's axes");
            if (rank > 6) throw Fail("TRANSPOSE supports up to 6 dimensions");
            CheckOutputShape(perm.Select(p => input.Shape[p]).ToArray());
            Emit(OpType.Transpose, new[] { Map(_op.Inputs[0]) }, new TransposeOptions { Perm = perm });
        }

        /// <summary>Resolves begin/end/strides with masks as TFLite's strided_slice_logic.h (StartForAxis/StopForAxis).</summary>
        private void StridedSlice()
        {
            var o = Options<TfliteStridedSliceOptions>();
            TfliteTensor input = In(0), output = Out();
            bool int32 = input.Type == TfliteTensorType.Int32;
            if (int32) RequireType(output, TfliteTensorType.Int32, "output");
            else CheckInt8Io(input, output);
            if (o.EllipsisMask != 0 || o.NewAxisMask != 0) throw Fail("ellipsis_mask and new_axis_mask are not supported (as in TFLite Micro)");
            int rank = input.Shape.Length;
            if (rank > 5) throw Fail("STRIDED_SLICE supports up to 5 dimensions");
            var begin = ConstInts(In(1), "begin");
            var end = ConstInts(In(2), "end");
            var strides = OptIn(3) != null ? ConstInts(In(3), "strides") : Enumerable.Repeat(1, rank).ToArray();
            if (begin.Length != rank || end.Length != rank || strides.Length != rank)
                throw Fail("begin, end and strides must have one entry per input dimension");
            var start = new int[rank];
            var stop = new int[rank];
            var outShape = new List<int>();
            if (o.Offset) throw Fail("offset = true is not supported");
            for (int d = 0; d < rank; d++)
            {
                // StartForAxis / StopForAxis of tensorflow/lite/kernels/internal/strided_slice_logic.h.
                int dim = input.Shape[d];
                int stride = strides[d];
                if (stride == 0) throw Fail("stride 0");
                bool shrink = (o.ShrinkAxisMask & (1 << d)) != 0;
                int s = 0, e = 0;
                if (dim != 0)
                {
                    s = begin[d];
                    if ((o.BeginMask & (1 << d)) != 0) s = stride > 0 ? int.MinValue : int.MaxValue;
                    if (s < 0) s += dim;
                    s = stride > 0 ? Math.Clamp(s, 0, dim) : Math.Clamp(s, -1, dim - 1);
                    if (shrink) e = s + 1;
                    else
                    {
                        e = end[d];
                        if ((o.EndMask & (1 << d)) != 0) e = stride > 0 ? int.MaxValue : int.MinValue;
                        if (e < 0) e += dim;
                        e = stride > 0 ? Math.Clamp(e, 0, dim) : Math.Clamp(e, -1, dim - 1);
                    }
                }
                int count = stride > 0 ? (e > s ? (e - s + stride - 1) / stride : 0) : (s > e ? (s - e - stride - 1) / -stride : 0);
                start[d] = s; stop[d] = e;
                if (!shrink) outShape.Add(count);
                else if (count != 1) throw Fail($"shrink axis {d} selects {count} elements");
            }
            long expected = outShape.Aggregate(1L, (x, y) => x * y);
            if (output.Shape.Aggregate(1L, (x, y) => x * y) != expected)
                throw Fail($"output shape [{string.Join(",", output.Shape)}] does not match the slice [{string.Join(",", outShape)}]");
            if (!int32)
            {
                var (si, zi) = PerTensor(input, "input");
                var (so, zo) = PerTensor(output, "output");
                if (si != so || zi != zo) throw Fail("input and output quantization differ");
            }
            Emit(OpType.StridedSlice, new[] { Map(_op.Inputs[0]) }, new StridedSliceOptions { Begin = start, End = stop, Strides = strides });
        }

        // ---------------------------------------------------------------------------------------------------
        // Format 1.2: integer builtins of the audio front end (TFLM's int32 / integer-cast paths)
        // ---------------------------------------------------------------------------------------------------

        private void ConcatenationInt32(int axis)
        {
            var output = Out();
            int rank = output.Shape.Length;
            var inputs = _op.Inputs.Where(i => i >= 0).ToArray();
            int sum = 0;
            foreach (int i in inputs)
            {
                var t = _m.Tensors[i];
                RequireType(t, TfliteTensorType.Int32, "input");
                if (t.Shape.Length != rank) throw Fail("inputs must have the output's rank");
                for (int d = 0; d < rank; d++)
                    if (d != axis && t.Shape[d] != output.Shape[d]) throw Fail($"input '{t.Name}' shape [{string.Join(",", t.Shape)}] does not match the output off the axis");
                sum += t.Shape[axis];
            }
            if (sum != output.Shape[axis]) throw Fail($"inputs add up to {sum} along axis {axis}, output has {output.Shape[axis]}");
            // TFLM: EvalUnquantized<int32_t>, a copy.
            Emit(OpType.Concatenation, inputs.Select(Map).ToArray(), new ConcatenationOptions { Axis = axis });
        }

        private static readonly TfliteTensorType[] IntegerTypes =
        {
            TfliteTensorType.Int8, TfliteTensorType.UInt8, TfliteTensorType.Int16, TfliteTensorType.Int32,
            TfliteTensorType.UInt32, TfliteTensorType.UInt64,
        };

        /// <summary>CAST between integer types: C's static_cast (TFLM cast.cc). Float casts are not supported.</summary>
        private void CastOp()
        {
            TfliteTensor input = In(0), output = Out();
            if (!IntegerTypes.Contains(input.Type) || !IntegerTypes.Contains(output.Type))
                throw Fail($"CAST from {input.Type} to {output.Type} is not supported (integer types int8, uint8, int16, int32, uint32, uint64 are)");
            if (input.Shape.Aggregate(1L, (x, y) => x * y) != output.Shape.Aggregate(1L, (x, y) => x * y))
                throw Fail("input and output differ in element count");
            Emit(OpType.Cast, new[] { Map(_op.Inputs[0]) }, null);
        }

        /// <summary>
        /// ADD, SUB, MUL, DIV, MINIMUM, MAXIMUM on int32 without quantization; the clamp is
        /// CalculateActivationRange&lt;int32&gt; of the fused activation (SUB, MUL, DIV; TFLM ignores it for ADD).
        /// </summary>
        private void IntegerArithmetic(OpType type, TfliteActivation act)
        {
            RequireActivation(act);
            TfliteTensor a = In(0), b = In(1), output = Out();
            foreach (var t in new[] { a, b, output })
            {
                if (t.Type != TfliteTensorType.Int32)
                    throw Fail($"tensor '{t.Name}' is {t.Type}; Edge supports {OpNames.Name(type)} on int32 tensors{(type is OpType.Add or OpType.Sub or OpType.Mul ? " (and int8)" : "")}");
                if (t.Quantization is { IsQuantized: true } && type == OpType.Div)
                    throw Fail($"tensor '{t.Name}' is quantized; TFLite Micro supports unquantized int32 DIV only");
            }
            CheckBroadcast(a, b, output);
            var o = new IntegerArithmeticOptions();
            // TFLM's add.cc evaluates int32 ADD with the whole int32 range whatever the fused activation (EvalAdd,
            // kTfLiteInt32: SetActivationParams(lowest, max)); SUB, MUL and DIV apply CalculateActivationRange.
            if (type != OpType.Add)
            switch (act)
            {
                case TfliteActivation.Relu: o.ActMin = 0; break;
                case TfliteActivation.Relu6: o.ActMin = 0; o.ActMax = 6; break;
                case TfliteActivation.ReluN1To1: o.ActMin = -1; o.ActMax = 1; break;
            }
            if (type == OpType.Div && _m.GetConstantData(b) is { } divisor)
                for (int i = 0; i + 4 <= divisor.Length; i += 4)
                    if (BitConverter.ToInt32(divisor, i) == 0) throw Fail("constant divisor holds 0");
            Emit(type, new[] { Map(_op.Inputs[0]), Map(_op.Inputs[1]) }, o, Out().Shape.Aggregate(1L, (x, y) => x * y));
        }

        // ---------------------------------------------------------------------------------------------------
        // Format 1.2: TFLite Micro's signal-library custom ops. Parameters come from custom_options (FlexBuffers
        // maps, keys sorted as TFLM's kernels index them); everything the kernels need is worked out here.
        // ---------------------------------------------------------------------------------------------------

        private Dictionary<string, FlexBuffers.Reference> CustomOptions(params string[] required)
        {
            if (_op.CustomOptions == null || _op.CustomOptions.Length == 0) throw Fail("custom_options are missing");
            Dictionary<string, FlexBuffers.Reference> map;
            try
            {
                var root = FlexBuffers.GetRoot(_op.CustomOptions);
                if (!root.IsMap) throw Fail($"custom_options hold a FlexBuffers {root.ValueType}, expected a map");
                map = root.AsMap();
            }
            catch (TfliteFormatException e) { throw Fail("custom_options: " + e.Message); }
            foreach (var k in required)
                if (!map.ContainsKey(k)) throw Fail($"custom_options lack '{k}' (found: {string.Join(", ", map.Keys)})");
            return map;
        }

        private int OptInt(Dictionary<string, FlexBuffers.Reference> m, string key)
        {
            try { return m[key].AsInt32(); }
            catch (TfliteFormatException e) { throw Fail($"custom_options '{key}': {e.Message}"); }
        }

        private void RequireShape1D(TfliteTensor t, string what)
        {
            if (t.Shape.Length != 1) throw Fail($"{what} '{t.Name}' must be 1-D, has shape [{string.Join(",", t.Shape)}]");
        }

        private void RequireOutputs(int n)
        {
            if (_op.Outputs.Length != n) throw Fail($"expects {n} output(s), has {_op.Outputs.Length}");
        }

        private void RequireInputs(int n)
        {
            if (_op.Inputs.Length != n) throw Fail($"expects {n} input(s), has {_op.Inputs.Length}");
        }

        private void SignalWindow()
        {
            var m = CustomOptions("shift");
            RequireInputs(2); RequireOutputs(1);
            TfliteTensor input = In(0), weights = In(1), output = Out();
            RequireType(input, TfliteTensorType.Int16, "input");
            RequireType(weights, TfliteTensorType.Int16, "weights");
            RequireType(output, TfliteTensorType.Int16, "output");
            RequireShape1D(weights, "weights");
            ConstData(weights, "weights");
            int shift = OptInt(m, "shift");
            if (shift < 0 || shift > 31) throw Fail($"shift {shift} out of range [0, 31]");
            Emit(OpType.SignalWindow, new[] { Map(_op.Inputs[0]), Map(_op.Inputs[1]) }, new SignalWindowOptions { Shift = shift },
                input.Shape.Aggregate(1L, (x, y) => x * y));
        }

        private void SignalFftAutoScale()
        {
            RequireInputs(1); RequireOutputs(2);
            RequireType(In(0), TfliteTensorType.Int16, "input");
            RequireType(Out(0), TfliteTensorType.Int16, "output");
            RequireType(Out(1), TfliteTensorType.Int32, "scale bits output");
            Emit(OpType.SignalFftAutoScale, new[] { Map(_op.Inputs[0]) }, null);
        }

        /// <summary>kiss_fft's kf_factor: powers of 4, then 2, then odd primes (p0, m0, p1, m1, …).</summary>
        public static int[] KissFactors(int n)
        {
            var f = new List<int>();
            int p = 4;
            double floorSqrt = Math.Floor(Math.Sqrt(n));
            do
            {
                while (n % p != 0)
                {
                    p = p switch { 4 => 2, 2 => 3, _ => p + 2 };
                    if (p > floorSqrt) p = n;
                }
                n /= p;
                f.Add(p);
                f.Add(n);
            } while (n > 1);
            return f.ToArray();
        }

        /// <summary>kiss_fft's fixed-point kf_cexp: (⌊0.5 + 32767·cos φ⌋, ⌊0.5 + 32767·sin φ⌋).</summary>
        private static (int re, int im) Cexp16(double phase) =>
            ((int)Math.Floor(.5 + 32767 * Math.Cos(phase)), (int)Math.Floor(.5 + 32767 * Math.Sin(phase)));

        /// <summary>The twiddles kiss_fftr_alloc(nfft, 0) computes: the complex FFT's (nfft/2 of them) and the super twiddles (nfft/4).</summary>
        public static (int[] twiddles, int[] superTwiddles) KissFftrTwiddles(int fftLength)
        {
            int c = fftLength / 2;
            var tw = new int[2 * c];
            for (int i = 0; i < c; i++)
            {
                const double pi = 3.141592653589793238462643383279502884197169399375105820974944;
                double phase = -2 * pi * i / c;
                (tw[2 * i], tw[2 * i + 1]) = Cexp16(phase);
            }
            var st = new int[2 * (c / 2)];
            for (int i = 0; i < c / 2; i++)
            {
                double phase = -3.14159265358979323846264338327 * ((double)(i + 1) / c + .5);
                (st[2 * i], st[2 * i + 1]) = Cexp16(phase);
            }
            return (tw, st);
        }

        private void SignalRfft()
        {
            var m = CustomOptions("fft_length");
            RequireInputs(1); RequireOutputs(1);
            TfliteTensor input = In(0), output = Out();
            if (m.TryGetValue("T", out var tRef) && tRef.AsInt32() != (int)TfliteTensorType.Int16)
                throw Fail($"SignalRfft of type {(TfliteTensorType)tRef.AsInt32()} is not supported (int16 is)");
            RequireType(input, TfliteTensorType.Int16, "input");
            RequireType(output, TfliteTensorType.Int16, "output");
            int n = OptInt(m, "fft_length");
            if (n < 4 || (n & 1) != 0 || n > 65536) throw Fail($"fft_length {n} must be even, in [4, 65536]");
            var factors = KissFactors(n / 2);
            for (int i = 0; i < factors.Length; i += 2)
                if (factors[i] != 2 && factors[i] != 4)
                    throw Fail($"fft_length {n}: kiss_fft would use a radix-{factors[i]} butterfly; Edge supports fft lengths whose half is a power of two (radix 2 and 4)");
            if (input.Shape.Length < 1 || input.Shape[^1] > n) throw Fail($"input rows of {input.Shape.LastOrDefault()} samples exceed fft_length {n}");
            if (output.Shape.Length != input.Shape.Length || output.Shape[^1] != 2 * (n / 2 + 1))
                throw Fail($"output rows must hold {n / 2 + 1} complex int16 values");
            var (tw, st) = KissFftrTwiddles(n);
            long rows = input.Shape.Aggregate(1L, (x, y) => x * y) / Math.Max(1, input.Shape[^1]);
            Emit(OpType.SignalRfft, new[] { Map(_op.Inputs[0]) },
                new SignalRfftOptions { FftLength = n, Factors = factors, Twiddles = tw, SuperTwiddles = st },
                rows * (n / 2) * (long)Math.Max(1, (int)Math.Round(Math.Log2(n / 2))));
        }

        private void SignalEnergy()
        {
            var m = CustomOptions("start_index", "end_index");
            RequireInputs(1); RequireOutputs(1);
            TfliteTensor input = In(0), output = Out();
            RequireType(input, TfliteTensorType.Int16, "input");
            RequireType(output, TfliteTensorType.UInt32, "output");
            RequireShape1D(input, "input"); RequireShape1D(output, "output");
            int start = OptInt(m, "start_index"), end = OptInt(m, "end_index");
            if (start < 0 || end < start || end > input.Shape[0] / 2 || end > output.Shape[0])
                throw Fail($"range [{start}, {end}) does not fit {input.Shape[0] / 2} bins / {output.Shape[0]} outputs");
            Emit(OpType.SignalEnergy, new[] { Map(_op.Inputs[0]) }, new SignalEnergyOptions { StartIndex = start, EndIndex = end }, 2L * (end - start));
        }

        private void SignalFilterBank()
        {
            var m = CustomOptions("num_channels");
            RequireInputs(6); RequireOutputs(1);
            TfliteTensor input = In(0), output = Out();
            RequireType(input, TfliteTensorType.UInt32, "input");
            RequireType(output, TfliteTensorType.UInt64, "output");
            RequireShape1D(input, "input"); RequireShape1D(output, "output");
            string[] names = { "", "weights", "unweights", "channel frequency starts", "channel weight starts", "channel widths" };
            for (int i = 1; i < 6; i++)
            {
                RequireType(In(i), TfliteTensorType.Int16, names[i]);
                RequireShape1D(In(i), names[i]);
                ConstData(In(i), names[i]);
            }
            int channels = OptInt(m, "num_channels");
            if (channels <= 0 || channels != output.Shape[0]) throw Fail($"num_channels {channels} does not match the output's {output.Shape[0]}");
            Emit(OpType.SignalFilterBank, _op.Inputs.Select(Map).ToArray(), new SignalFilterBankOptions { NumChannels = channels },
                2L * In(1).Shape[0]);
        }

        private void SignalFilterBankSquareRoot()
        {
            RequireInputs(2); RequireOutputs(1);
            RequireType(In(0), TfliteTensorType.UInt64, "input");
            RequireType(In(1), TfliteTensorType.Int32, "scale bits");
            RequireType(Out(), TfliteTensorType.UInt32, "output");
            RequireShape1D(In(0), "input");
            Emit(OpType.SignalFilterBankSquareRoot, new[] { Map(_op.Inputs[0]), Map(_op.Inputs[1]) }, null);
        }

        private void SignalSpectralSubtraction()
        {
            var m = CustomOptions("alternate_one_minus_smoothing", "alternate_smoothing", "clamping", "min_signal_remaining",
                "num_channels", "one_minus_smoothing", "smoothing", "smoothing_bits", "spectral_subtraction_bits");
            RequireInputs(1); RequireOutputs(2);
            TfliteTensor input = In(0);
            RequireType(input, TfliteTensorType.UInt32, "input");
            RequireType(Out(0), TfliteTensorType.UInt32, "output");
            RequireType(Out(1), TfliteTensorType.UInt32, "noise estimate output");
            RequireShape1D(input, "input");
            int channels = OptInt(m, "num_channels");
            if (channels <= 0 || channels != input.Shape[0] || Out(0).Shape.Aggregate(1, (x, y) => x * y) != channels || Out(1).Shape.Aggregate(1, (x, y) => x * y) != channels)
                throw Fail($"num_channels {channels} does not match the tensors");
            var o = new SignalSpectralSubtractionOptions
            {
                NumChannels = channels,
                Smoothing = OptInt(m, "smoothing"),
                OneMinusSmoothing = OptInt(m, "one_minus_smoothing"),
                AlternateSmoothing = OptInt(m, "alternate_smoothing"),
                AlternateOneMinusSmoothing = OptInt(m, "alternate_one_minus_smoothing"),
                SmoothingBits = OptInt(m, "smoothing_bits"),
                SpectralSubtractionBits = OptInt(m, "spectral_subtraction_bits"),
                MinSignalRemaining = OptInt(m, "min_signal_remaining"),
                Clamping = m["clamping"].AsBool(),
            };
            if (o.SmoothingBits < 0 || o.SmoothingBits > 31) throw Fail($"smoothing_bits {o.SmoothingBits} out of range [0, 31]");
            if (o.SpectralSubtractionBits < 0 || o.SpectralSubtractionBits > 63) throw Fail($"spectral_subtraction_bits {o.SpectralSubtractionBits} out of range [0, 63]");
            // The noise estimate TFLM keeps in a persistent buffer: a state tensor of the arena (format 1.2).
            int state = _g.AddTensor(new EdgeTensor { Name = (Out(0).Name ?? "") + "/noise_estimate_state", DType = DType.UInt32, Shape = new[] { channels } });
            _g.StateTensors.Add(state);
            Emit(OpType.SignalFilterBankSpectralSubtraction, new[] { Map(_op.Inputs[0]), state }, o, 2L * channels);
        }

        private void SignalPcan()
        {
            var m = CustomOptions("snr_shift");
            RequireInputs(3); RequireOutputs(1);
            RequireType(In(0), TfliteTensorType.UInt32, "input");
            RequireType(In(1), TfliteTensorType.UInt32, "noise estimate");
            RequireType(In(2), TfliteTensorType.Int16, "gain LUT");
            RequireType(Out(), TfliteTensorType.UInt32, "output");
            RequireShape1D(In(0), "input");
            if (In(2).Shape.Aggregate(1, (x, y) => x * y) < 125) throw Fail("gain LUT needs at least 125 entries (4 per bit of a uint32 and 3 more)");
            int shift = OptInt(m, "snr_shift");
            if (shift < 0 || shift > 63) throw Fail($"snr_shift {shift} out of range [0, 63]");
            Emit(OpType.SignalPcan, _op.Inputs.Select(Map).ToArray(), new SignalPcanOptions { SnrShift = shift }, 2L * In(0).Shape[0]);
        }

        private void SignalFilterBankLog()
        {
            var m = CustomOptions("input_correction_bits", "output_scale");
            RequireInputs(1); RequireOutputs(1);
            RequireType(In(0), TfliteTensorType.UInt32, "input");
            RequireType(Out(), TfliteTensorType.Int16, "output");
            RequireShape1D(In(0), "input");
            int bits = OptInt(m, "input_correction_bits");
            if (bits < 0 || bits > 31) throw Fail($"input_correction_bits {bits} out of range [0, 31]");
            Emit(OpType.SignalFilterBankLog, new[] { Map(_op.Inputs[0]) },
                new SignalFilterBankLogOptions { InputCorrectionBits = bits, OutputScale = OptInt(m, "output_scale") });
        }
    }

    /// <summary>The model cannot be converted: unsupported op, type or quantization. The CLI exits 2.</summary>
    public sealed class ConversionException : Exception
    {
        public ConversionException(string message) : base(message) { }
    }
}
