using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>DEQUANTIZE int8 → float32: scale · (q − zero_point) (AffineQuantizeOptions).</summary>
    public sealed class DequantizeOp : OpKernel
    {
        private TensorInfo _in, _out;
        private float _scale;
        private int _zp;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.AffineQuantize);
            DequantizeOp op = new DequantizeOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
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
            Dequantize.Eval(Data(_in, arena, model), _in.DataOffset, _in.ElementCount, _scale, _zp, arena, _out.DataOffset);
        }
    }
}
