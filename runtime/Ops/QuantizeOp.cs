using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>
    /// QUANTIZE: int8 → int8 requantization (RequantizeOptions; TFLM's Requantize) or float32 → int8
    /// (AffineQuantizeOptions; TFLite's AffineQuantize, round half away from zero).
    /// </summary>
    public sealed class QuantizeOp : OpKernel
    {
        private const int AffineScale = 0, AffineZeroPoint = 1;

        private bool _fromFloat;
        private TensorInfo _in, _out;
        private int _inZp, _outZp, _mult, _shift;
        private float _scale;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            QuantizeOp op = new QuantizeOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            OpCheck.Type(d, op._out, DType.Int8, "output");
            OpCheck.SameElements(d, op._in, op._out);
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

        public override void Eval(byte[] arena, byte[] model)
        {
            if (_fromFloat)
                Quantize.AffineQuantize(Data(_in, arena, model), _in.DataOffset, _in.ElementCount, _scale, _outZp, arena, _out.DataOffset);
            else
                Quantize.Requantize(Data(_in, arena, model), _in.DataOffset, _in.ElementCount, _inZp, _outZp, _mult, _shift, arena, _out.DataOffset);
        }
    }
}
