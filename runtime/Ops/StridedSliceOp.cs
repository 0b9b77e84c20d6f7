using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>STRIDED_SLICE, int8 or int32, rank ≤ 5, begin/end/strides resolved on the host.</summary>
    public sealed class StridedSliceOp : OpKernel
    {
        private TensorInfo _in, _out;
        private int[] _begin, _end, _strides;
        private int _elementSize;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.StridedSlice);
            StridedSliceOp op = new StridedSliceOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            if (op._in.Type != DType.Int8 && op._in.Type != DType.Int32) throw d.Error(string.Concat("input must be int8 or int32, is ", TensorInfo.DTypeName(op._in.Type)));
            OpCheck.Type(d, op._out, op._in.Type, "output");
            op._elementSize = TensorInfo.ElementSize(op._in.Type);
            int rank = op._in.Rank;
            if (rank > StridedSlice.MaxRank) throw d.Error("STRIDED_SLICE supports up to 5 dimensions");
            op._begin = d.Ints(0, "begin");
            op._end = d.Ints(1, "end");
            op._strides = d.Ints(2, "strides");
            OpCheck.Length(d, op._begin, rank, "begin");
            OpCheck.Length(d, op._end, rank, "end");
            OpCheck.Length(d, op._strides, rank, "strides");
            long count = 1;
            for (int k = 0; k < rank; k++)
            {
                int dim = op._in.Shape[k], s = op._begin[k], e = op._end[k], st = op._strides[k];
                if (st == 0) throw d.Error("stride 0");
                long n;
                if (st > 0)
                {
                    if (s < 0 || e > dim) throw d.Error(string.Concat("slice ", s.ToString(), "..", e.ToString(), " leaves dimension ", k.ToString()));
                    n = e > s ? ((long)e - s + st - 1) / st : 0;
                }
                else
                {
                    if (s >= dim || e < -1) throw d.Error(string.Concat("slice ", s.ToString(), "..", e.ToString(), " leaves dimension ", k.ToString()));
                    n = s > e ? ((long)s - e - st - 1) / -st : 0;
                }
                count *= n;
            }
            if (count != op._out.ElementCount)
                throw d.Error(string.Concat("the slice selects ", count.ToString(), " elements, output ", op._out.ShapeText(), " holds ", op._out.ElementCount.ToString()));
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            StridedSlice.Eval(Data(_in, arena, model), _in.DataOffset, _in.Shape, _begin, _end, _strides, arena, _out.DataOffset, _elementSize);
        }
    }
}
