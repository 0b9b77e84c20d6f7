using Edge.Kernels.Reference.Signal;

namespace Edge.Runtime
{
    /// <summary>SignalFilterBank: uint32 energies into num_channels uint64 mel channels (constant int16 tables).</summary>
    public sealed class SignalFilterBankOp : OpKernel
    {
        private TensorInfo _in, _w, _u, _fs, _ws, _widths, _out;
        private int _channels;
        private ulong[] _work;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 6, 6);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.SignalFilterBank);
            SignalFilterBankOp op = new SignalFilterBankOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._w = Table(d, 1, "weights");
            op._u = Table(d, 2, "unweights");
            op._fs = Table(d, 3, "channel frequency starts");
            op._ws = Table(d, 4, "channel weight starts");
            op._widths = Table(d, 5, "channel widths");
            op._out = d.Output(0);
            OpCheck.Type(d, op._in, DType.UInt32, "input");
            OpCheck.Rank(d, op._in, 1, "input");
            OpCheck.Type(d, op._out, DType.UInt64, "output");
            OpCheck.Rank(d, op._out, 1, "output");
            op._channels = d.Int(0, 0, "num_channels");
            OpCheck.Positive(d, op._channels, "num_channels");
            if (op._out.ElementCount != op._channels) throw d.Error("output must hold num_channels values");
            int bands = op._channels + 1;
            if (op._fs.ElementCount < bands || op._ws.ElementCount < bands || op._widths.ElementCount < bands)
                throw d.Error("channel tables need num_channels + 1 entries");
            if (op._u.ElementCount != op._w.ElementCount) throw d.Error("weights and unweights differ in length");
            // Every table entry the kernel will read must lie inside its tensor (checked once here).
            byte[] m = d.Owner.Data;
            for (int i = 0; i < bands; i++)
            {
                int f = SignalMath.ReadInt16(m, op._fs.DataOffset + 2 * i);
                int w = SignalMath.ReadInt16(m, op._ws.DataOffset + 2 * i);
                int n = SignalMath.ReadInt16(m, op._widths.DataOffset + 2 * i);
                if (f < 0 || w < 0 || n < 0 || f + n > op._in.ElementCount || w + n > op._w.ElementCount)
                    throw d.Error(string.Concat("channel ", i.ToString(), " reaches outside the input or the weights"));
            }
            op._work = new ulong[bands];
            return op;
        }

        private static TensorInfo Table(OperatorDef d, int i, string what)
        {
            TensorInfo t = OpCheck.Required(d, i, what);
            if (!t.IsConstant) throw d.Error(string.Concat(what, " must be a constant"));
            OpCheck.Type(d, t, DType.Int16, what);
            OpCheck.Rank(d, t, 1, what);
            return t;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            FilterBank.Eval(Data(_in, arena, model), _in.DataOffset, model, _w.DataOffset, model, _u.DataOffset, model, _fs.DataOffset,
                model, _ws.DataOffset, model, _widths.DataOffset, _channels, _work, arena, _out.DataOffset);
        }
    }
}
