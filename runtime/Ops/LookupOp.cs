using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>LOOKUP (format 1.2): 8-bit → 8-bit through a 256-entry table (LookupOptions).</summary>
    public sealed class LookupOp : OpKernel
    {
        private TensorInfo _in, _out;
        private byte[] _table;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.Lookup);
            LookupOp op = new LookupOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            QLinearCheck.Signed8(d, op._in, "input");
            QLinearCheck.Signed8(d, op._out, "output");
            OpCheck.SameElements(d, op._in, op._out);
            int[] t = d.Ints(0, "table");
            OpCheck.Length(d, t, 256, "table");
            op._table = new byte[256];
            int lo = op._out.Type == DType.UInt8 ? 0 : -128;
            for (int i = 0; i < 256; i++)
            {
                if (t[i] < lo || t[i] > lo + 255) throw d.Error("table entry out of the output type's range");
                op._table[i] = (byte)t[i];
            }
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            Lookup.Eval(Data(_in, arena, model), _in.DataOffset, _in.ElementCount, _table, arena, _out.DataOffset);
        }
    }
}
