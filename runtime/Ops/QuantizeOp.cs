using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>
    /// QUANTIZE: int8 → int8 requantization (RequantizeOptions; TFLM's Requantize) or float32 → int8
    /// (AffineQuantizeOptions; TFLite's AffineQuantize, round half away from zero), or with
    /// requant_rule OnnxRuntimeFloat (format 1.2) ONNX QuantizeLinear float32 → int8/uint8 (round half to even, per axis).
    /// </summary>
    public sealed class QuantizeOp : OpKernel
    {
        private const int AffineScale = 0, AffineZeroPoint = 1;

        private bool _fromFloat, _onnx;
        private int _inner, _channels, _qmin, _qmax;
        private float[] _scales;
        private int[] _zps;
        private TensorInfo _in, _out;
        private int _inZp, _outZp, _mult, _shift;
        private float _scale;

        /// <summary>ONNX QuantizeLinear (float32 → int8/uint8, OnnxRuntimeFloat), for alternate kernel sets.</summary>
        public bool IsOnnx { get { return _onnx; } }
        public TensorInfo Input { get { return _in; } }
        public TensorInfo Output { get { return _out; } }
        /// <summary>ONNX: elements per channel step and channels (1 = per tensor), scales and zero points per channel, output range.</summary>
        public int OnnxInner { get { return _inner; } }
        public int OnnxChannels { get { return _channels; } }
        public float[] OnnxScales { get { return _scales; } }
        public int[] OnnxZeroPoints { get { return _zps; } }
        public int QMin { get { return _qmin; } }
        public int QMax { get { return _qmax; } }

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            QuantizeOp op = new QuantizeOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            OpCheck.SameElements(d, op._in, op._out);
            if (d.OptionsType == OptionsType.AffineQuantize) CheckRule(d);
            if (op._in.Type == DType.Float32 && d.OptionsType == OptionsType.AffineQuantize
                && d.Byte(AffineRule, RequantRule.TfliteFixedPoint, "requant_rule") == RequantRule.OnnxRuntimeFloat)
            {
                // ONNX QuantizeLinear (format 1.2): float32 -> int8/uint8, per tensor or per axis.
                op._onnx = true;
                QLinearCheck.Signed8(d, op._out, "output");
                ReadOnnxParams(d, op._out, op._out.Type, out op._inner, out op._channels, out op._scales, out op._zps);
                op._qmin = QLinearCheck.Min(op._out.Type);
                op._qmax = QLinearCheck.Max(op._out.Type);
                return op;
            }
            OpCheck.Type(d, op._out, DType.Int8, "output");
            if (op._in.Type == DType.Float32)
            {
                d.RequireOptions(OptionsType.AffineQuantize);
                op._fromFloat = true;
                op._scale = d.Float(AffineScale, 0f, "scale");
                op._outZp = d.Int(AffineZeroPoint, 0, "zero_point");
                if (!(op._scale > 0) || op._scale > 3.4e38f) throw d.Error("scale must be positive and finite");
                OpCheck.ZeroPoint(d, op._outZp, "output");
                return op;
            }
            OpCheck.Type(d, op._in, DType.Int8, "input");
            d.RequireOptions(OptionsType.Requantize);
            int inOff, outOff, actMin, actMax;
            ReluOp.ReadRequantize(d, out inOff, out outOff, out op._mult, out op._shift, out actMin, out actMax);
            if (actMin != -128 || actMax != 127) throw d.Error("QUANTIZE clamps to the full int8 range");
            op._inZp = -inOff;
            op._outZp = outOff;
            return op;
        }

        /// <summary>AffineQuantizeOptions' ONNX slots (format 1.2): requant_rule, scales, zero_points, axis.</summary>
        internal const int AffineRule = 2, AffineScales = 3, AffineZeroPoints = 4, AffineAxis = 5;

        /// <summary>requant_rule must be a known RequantRule value.</summary>
        internal static void CheckRule(OperatorDef d)
        {
            int rule = d.Byte(AffineRule, RequantRule.TfliteFixedPoint, "requant_rule");
            if (rule != RequantRule.TfliteFixedPoint && rule != RequantRule.OnnxRuntimeFloat)
                throw d.Error(string.Concat("unknown requant_rule ", rule.ToString()));
        }

        /// <summary>Reads the ONNX per-tensor / per-axis parameters for a quantized tensor of type <paramref name="q"/>.</summary>
        internal static void ReadOnnxParams(OperatorDef d, TensorInfo shapeOf, DType q, out int inner, out int channels, out float[] scales, out int[] zps)
        {
            float[] s = d.Floats(AffineScales, "scales");
            int[] z = d.Ints(AffineZeroPoints, "zero_points");
            int axis = d.Int(AffineAxis, 0, "axis");
            if (s.Length == 0) throw d.Error("scales is empty");
            channels = s.Length;
            inner = 1;
            if (channels > 1)
            {
                if (axis < 0 || axis >= shapeOf.Rank) throw d.Error(string.Concat("axis ", axis.ToString(), " out of range"));
                OpCheck.Dim(d, shapeOf, axis, channels, "tensor");
                for (int k = axis + 1; k < shapeOf.Rank; k++) inner *= shapeOf.Shape[k];
            }
            scales = QLinearCheck.Expand(d, s, channels, "scales");
            zps = z.Length == 0 ? new int[channels] : QLinearCheck.Expand(d, z, channels, "zero_points");
            for (int c = 0; c < channels; c++) QLinearCheck.ZeroPoint(d, zps[c], q, "tensor");
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            if (_onnx)
                OnnxQuantize.QuantizeLinear(Data(_in, arena, model), _in.DataOffset, _in.ElementCount, _inner, _channels, _scales, _zps, _qmin, _qmax, arena, _out.DataOffset);
            else if (_fromFloat)
                Quantize.AffineQuantize(Data(_in, arena, model), _in.DataOffset, _in.ElementCount, _scale, _outZp, arena, _out.DataOffset);
            else
                Quantize.Requantize(Data(_in, arena, model), _in.DataOffset, _in.ElementCount, _inZp, _outZp, _mult, _shift, arena, _out.DataOffset);
        }
    }
}
