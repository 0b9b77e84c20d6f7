using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>AVERAGE_POOL_2D and MAX_POOL_2D, int8 (MAX_POOL_2D also uint8, format 1.2), input and output sharing quantization.</summary>
    public sealed class Pool2DOp : OpKernel
    {
        private const int StrideW = 0, StrideH = 1, FilterW = 2, FilterH = 3, PadTop = 4, PadLeft = 5, PadBottom = 6,
            PadRight = 7, ActMin = 8, ActMax = 9;

        private bool _max;
        private TensorInfo _in, _out;
        private int _strideW, _strideH, _filterW, _filterH, _padTop, _padLeft, _actMin, _actMax;

        /// <summary>True for MAX_POOL_2D, false for AVERAGE_POOL_2D (read-only accessors for alternate kernel sets).</summary>
        public bool IsMax { get { return _max; } }
        public TensorInfo Input { get { return _in; } }
        public TensorInfo Output { get { return _out; } }
        public int StrideWValue { get { return _strideW; } }
        public int StrideHValue { get { return _strideH; } }
        public int FilterWValue { get { return _filterW; } }
        public int FilterHValue { get { return _filterH; } }
        public int PadTopValue { get { return _padTop; } }
        public int PadLeftValue { get { return _padLeft; } }
        public int ActMinValue { get { return _actMin; } }
        public int ActMaxValue { get { return _actMax; } }

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.Pool2D);
            Pool2DOp op = new Pool2DOp();
            op._max = d.Type == OpType.MaxPool2D;
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            // uint8 (format 1.2, ONNX) only for MAX_POOL_2D; int8 otherwise.
            // float32 (format 1.2, edge convert --dynamic) only for MAX_POOL_2D, without a clamp.
            if (!(op._max && (op._in.Type == DType.UInt8 || op._in.Type == DType.Float32))) OpCheck.Type(d, op._in, DType.Int8, "input");
            OpCheck.Type(d, op._out, op._in.Type, "output");
            OpCheck.Rank(d, op._in, 4, "input");
            OpCheck.Rank(d, op._out, 4, "output");
            op._strideW = d.Int(StrideW, 1, "stride_w");
            op._strideH = d.Int(StrideH, 1, "stride_h");
            op._filterW = d.Int(FilterW, 1, "filter_w");
            op._filterH = d.Int(FilterH, 1, "filter_h");
            op._padTop = d.Int(PadTop, 0, "pad_top");
            op._padLeft = d.Int(PadLeft, 0, "pad_left");
            int padBottom = d.Int(PadBottom, 0, "pad_bottom");
            int padRight = d.Int(PadRight, 0, "pad_right");
            OpCheck.Positive(d, op._strideW, "stride_w"); OpCheck.Positive(d, op._strideH, "stride_h");
            OpCheck.Positive(d, op._filterW, "filter_w"); OpCheck.Positive(d, op._filterH, "filter_h");
            OpCheck.NonNegative(d, op._padTop, "pad_top"); OpCheck.NonNegative(d, op._padLeft, "pad_left");
            OpCheck.NonNegative(d, padBottom, "pad_bottom"); OpCheck.NonNegative(d, padRight, "pad_right");
            // Every window must hold at least one in-image tap (TFLite errors on an empty average window).
            if (op._padTop >= op._filterH || op._padLeft >= op._filterW || padBottom >= op._filterH || padRight >= op._filterW)
                throw d.Error("padding as large as the filter leaves empty windows");
            int[] i = op._in.Shape;
            OpCheck.Dim(d, op._out, 0, i[0], "output");
            OpCheck.Dim(d, op._out, 1, ConvGeometry.OutputSize(i[1], op._filterH, op._strideH, 1, op._padTop, padBottom), "output");
            OpCheck.Dim(d, op._out, 2, ConvGeometry.OutputSize(i[2], op._filterW, op._strideW, 1, op._padLeft, padRight), "output");
            OpCheck.Dim(d, op._out, 3, i[3], "output");
            op._actMin = d.Int(ActMin, 0, "act_min");
            op._actMax = d.Int(ActMax, 0, "act_max");
            if (op._in.Type == DType.Float32)
            {
                if (op._actMin != 0 || op._actMax != 0) throw d.Error("a float32 MAX_POOL_2D has no activation range (act_min = act_max = 0)");
            }
            else if (op._in.Type == DType.UInt8)
            {
                if (op._actMin < 0 || op._actMax > 255 || op._actMin > op._actMax) throw d.Error("activation range is not within uint8");
            }
            else OpCheck.Int8Range(d, op._actMin, op._actMax);
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            int[] i = _in.Shape, o = _out.Shape;
            if (_max && _in.Type == DType.Float32)
                MaxPool2D.EvalFloat(Data(_in, arena, model), _in.DataOffset, i[0], i[1], i[2], i[3], arena, _out.DataOffset, o[1], o[2],
                    _filterH, _filterW, _strideH, _strideW, _padTop, _padLeft);
            else if (_max)
                MaxPool2D.Eval(Data(_in, arena, model), _in.DataOffset, i[0], i[1], i[2], i[3], arena, _out.DataOffset, o[1], o[2],
                    _filterH, _filterW, _strideH, _strideW, _padTop, _padLeft, _actMin, _actMax, _in.Type == DType.UInt8);
            else
                AveragePool2D.Eval(Data(_in, arena, model), _in.DataOffset, i[0], i[1], i[2], i[3], arena, _out.DataOffset, o[1], o[2],
                    _filterH, _filterW, _strideH, _strideW, _padTop, _padLeft, _actMin, _actMax);
        }
    }
}
