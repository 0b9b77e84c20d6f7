using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>TRANSPOSE, any element type (input and output alike), rank ≤ 6 (≤ 5 for multi-byte elements).</summary>
    public sealed class TransposeOp : OpKernel
    {
        private TensorInfo _in, _out;
        private int[] _perm, _shape;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.Transpose);
            TransposeOp op = new TransposeOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            if (op._in.Type != op._out.Type) throw d.Error("input and output types differ");
            int esize = TensorInfo.ElementSize(op._in.Type);
            int rank = op._in.Rank;
            if (rank + (esize > 1 ? 1 : 0) > Transpose.MaxRank) throw d.Error("TRANSPOSE supports up to 6 dimensions (5 for multi-byte elements)");
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
            op._shape = op._in.Shape;
            if (esize > 1)
            {
                // Multi-byte elements (format 1.2: uint8/int32 from ONNX graphs): transpose bytes with the element's
                // bytes as an extra innermost, unmoved dimension.
                op._shape = new int[rank + 1];
                int[] perm = new int[rank + 1];
                for (int k = 0; k < rank; k++) { op._shape[k] = op._in.Shape[k]; perm[k] = op._perm[k]; }
                op._shape[rank] = esize;
                perm[rank] = rank;
                op._perm = perm;
            }
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            Transpose.Eval(Data(_in, arena, model), _in.DataOffset, _shape, _perm, arena, _out.DataOffset);
        }
    }
}
