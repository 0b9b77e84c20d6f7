using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>TRANSPOSE, int8, rank ≤ 6.</summary>
    public sealed class TransposeOp : OpKernel
    {
        private TensorInfo _in, _out;
        private int[] _perm;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.Transpose);
            TransposeOp op = new TransposeOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            OpCheck.Type(d, op._in, DType.Int8, "input");
            OpCheck.Type(d, op._out, DType.Int8, "output");
            int rank = op._in.Rank;
            if (rank > Transpose.MaxRank) throw d.Error("TRANSPOSE supports up to 6 dimensions");
            OpCheck.Rank(d, op._out, rank, "output");
            op._perm = d.Ints(0, "perm");
            OpCheck.Length(d, op._perm, rank, "perm");
            int seen = 0;
            for (int k = 0; k < rank; k++)
            {
                int p = op._perm[k];
                if (p < 0 || p >= rank || ((seen >> p) & 1) != 0) throw d.Error("perm is not a permutation");
                seen |= 1 << p;
                OpCheck.Dim(d, op._out, k, op._in.Shape[p], "output");
            }
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            Transpose.Eval(Data(_in, arena, model), _in.DataOffset, _in.Shape, _perm, arena, _out.DataOffset);
        }
    }
}
