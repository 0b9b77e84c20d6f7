using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>DEQUANTIZE int8 → float32: scale · (q − zero_point) (AffineQuantizeOptions); with requant_rule
    /// OnnxRuntimeFloat (format 1.2) ONNX DequantizeLinear int8/uint8 → float32, per tensor or per axis.</summary>
    public sealed class DequantizeOp : OpKernel
    {
        private TensorInfo _in, _out;
        private float _scale;
        private int _zp;
        private bool _onnx, _signed;
        private int _inner, _channels;
        private float[] _scales;
        private int[] _zps;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.AffineQuantize);
            DequantizeOp op = new DequantizeOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            QuantizeOp.CheckRule(d);
            if (d.Byte(QuantizeOp.AffineRule, RequantRule.TfliteFixedPoint, "requant_rule") == RequantRule.OnnxRuntimeFloat)
            {
                // ONNX DequantizeLinear (format 1.2): int8/uint8 -> float32, per tensor or per axis.
                op._onnx = true;
                op._signed = QLinearCheck.Signed8(d, op._in, "input");
                OpCheck.Type(d, op._out, DType.Float32, "output");
                OpCheck.SameElements(d, op._in, op._out);
                QuantizeOp.ReadOnnxParams(d, op._in, op._in.Type, out op._inner, out op._channels, out op._scales, out op._zps);
                return op;
            }
            OpCheck.Type(d, op._in, DType.Int8, "input");
            OpCheck.Type(d, op._out, DType.Float32, "output");
            OpCheck.SameElements(d, op._in, op._out);
            op._scale = d.Float(0, 0f, "scale");
            op._zp = d.Int(1, 0, "zero_point");
            if (!(op._scale >= 0) || op._scale > 3.4e38f) throw d.Error("scale must be finite and not negative");
            OpCheck.ZeroPoint(d, op._zp, "input");
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            if (_onnx)
            {
                OnnxQuantize.DequantizeLinear(Data(_in, arena, model), _in.DataOffset, _signed, _in.ElementCount, _inner, _channels, _scales, _zps, arena, _out.DataOffset);
                return;
            }
            Dequantize.Eval(Data(_in, arena, model), _in.DataOffset, _in.ElementCount, _scale, _zp, arena, _out.DataOffset);
        }
    }
}
