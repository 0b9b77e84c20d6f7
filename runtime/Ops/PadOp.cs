using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>PAD and PADV2, int8 (uint8 from ONNX, format 1.2), rank ≤ 5, explicit before/after paddings (PadOptions).</summary>
    public sealed class PadOp : OpKernel
    {
        private TensorInfo _in, _out;
        private int[] _paddings;
        private int _value;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.Pad);
            PadOp op = new PadOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            if (op._in.Type != DType.UInt8) OpCheck.Type(d, op._in, DType.Int8, "input");   // uint8: format 1.2 (ONNX)
            OpCheck.Type(d, op._out, op._in.Type, "output");
            int rank = op._in.Rank;
            if (rank > Pad.MaxRank) throw d.Error("PAD supports up to 5 dimensions");
            OpCheck.Rank(d, op._out, rank, "output");
            op._paddings = d.Ints(0, "paddings");
            OpCheck.Length(d, op._paddings, 2 * rank, "paddings");
            for (int i = 0; i < rank; i++)
            {
                OpCheck.NonNegative(d, op._paddings[2 * i], "padding");
                OpCheck.NonNegative(d, op._paddings[2 * i + 1], "padding");
                OpCheck.Dim(d, op._out, i, op._in.Shape[i] + op._paddings[2 * i] + op._paddings[2 * i + 1], "output");
            }
            op._value = d.Int(1, 0, "pad_value");
            if (op._in.Type == DType.UInt8 ? (op._value < 0 || op._value > 255) : (op._value < -128 || op._value > 127))
                throw d.Error(string.Concat("pad_value out of ", TensorInfo.DTypeName(op._in.Type), " range"));
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            Pad.Eval(Data(_in, arena, model), _in.DataOffset, _in.Shape, _paddings, _value, arena, _out.DataOffset);
        }
    }
}
