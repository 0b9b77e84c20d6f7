using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>CONCATENATION of int8 (or int32: a copy) tensors along one axis: a copy, or TFLite's float rescaling per input.</summary>
    public sealed class ConcatenationOp : OpKernel
    {
        private TensorInfo[] _ins;
        private TensorInfo _out;
        private int _axis;
        private bool _requantize;
        private float[] _scales;
        private int[] _zps;
        private float _outScale;
        private int _outZp;
        private byte[][] _arrays;      // filled per Eval (arena or model per input); allocated once here
        private int[] _offsets;
        private int[] _axisDims;
        private int _elementSize;

        public static OpKernel Prepare(OperatorDef d)
        {
            if (d.Inputs.Length < 1) throw d.Error("needs at least one input");
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.Concatenation);
            ConcatenationOp op = new ConcatenationOp();
            op._out = d.Output(0);
            if (op._out.Type != DType.Int8 && op._out.Type != DType.Int32 && op._out.Type != DType.UInt8) throw d.Error(string.Concat("output must be int8, uint8 or int32, is ", TensorInfo.DTypeName(op._out.Type)));   // uint8: 1.2 (ONNX), copy only
            op._elementSize = TensorInfo.ElementSize(op._out.Type);
            int rank = op._out.Rank;
            op._axis = d.Int(0, 0, "axis");
            if (op._axis < 0 || op._axis >= rank) throw d.Error(string.Concat("axis ", op._axis.ToString(), " out of range for rank ", rank.ToString()));
            int n = d.Inputs.Length;
            op._ins = new TensorInfo[n];
            op._arrays = new byte[n][];
            op._offsets = new int[n];
            op._axisDims = new int[n];
            long sum = 0;
            for (int k = 0; k < n; k++)
            {
                TensorInfo t = OpCheck.Required(d, k, "input");
                OpCheck.Type(d, t, op._out.Type, "input");
                OpCheck.Rank(d, t, rank, "input");
                for (int dim = 0; dim < rank; dim++)
                    if (dim != op._axis) OpCheck.Dim(d, t, dim, op._out.Shape[dim], "input");
                sum += t.Shape[op._axis];
                op._ins[k] = t;
                op._offsets[k] = t.DataOffset;
                op._axisDims[k] = t.Shape[op._axis];
            }
            if (sum != op._out.Shape[op._axis]) throw d.Error("input extents along the axis do not add up to the output's");
            op._requantize = d.Bool(1, "requantize");
            if (op._requantize && op._out.Type != DType.Int8) throw d.Error("requantize is for int8 (ONNX inputs are rescaled by LOOKUP ops)");
            if (op._requantize)
            {
                op._scales = d.Floats(2, "input_scale");
                op._zps = d.Ints(3, "input_zero_point");
                if (op._scales.Length != n || op._zps.Length != n) throw d.Error("one input scale and zero point per input");
                op._outScale = d.Float(4, 0f, "output_scale");
                op._outZp = d.Int(5, 0, "output_zero_point");
                if (!(op._outScale > 0) || op._outScale > 3.4e38f) throw d.Error("output_scale must be positive and finite");
                OpCheck.ZeroPoint(d, op._outZp, "output");
                for (int k = 0; k < n; k++)
                {
                    if (!(op._scales[k] >= 0) || op._scales[k] > 3.4e38f) throw d.Error("input_scale must be finite and not negative");
                    OpCheck.ZeroPoint(d, op._zps[k], "input");
                }
            }
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            for (int k = 0; k < _ins.Length; k++) _arrays[k] = _ins[k].IsConstant ? model : arena;
            if (_requantize)
                Concatenation.EvalWithScaling(_axis, _out.Shape, _arrays, _offsets, _axisDims, _scales, _zps, arena, _out.DataOffset, _outScale, _outZp);
            else
                Concatenation.Eval(_axis, _out.Shape, _arrays, _offsets, _axisDims, arena, _out.DataOffset, _elementSize);
        }
    }
}
