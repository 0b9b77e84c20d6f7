using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>
    /// DYNAMIC_CONV_2D and DYNAMIC_FULLY_CONNECTED (format 1.2, edge convert --dynamic): float32 input quantized per
    /// inference (ONNX DynamicQuantizeLinear) into output 1 (a uint8 scratch tensor in the arena), int32
    /// accumulation against constant int8 weights, float32 output (kernels/reference/DynamicQuant.cs). Every
    /// kernel set runs this reference kernel.
    /// </summary>
    public sealed class DynamicQuantOp : OpKernel
    {
        private bool _conv;
        private TensorInfo _in, _w, _bias, _out, _q;
        private GroupedConvWindow _win;
        private int _rows, _k, _n;
        private float[] _wScale;
        private float _actMin, _actMax;
        private readonly int[] _zp = new int[1];

        public static OpKernel PrepareConv(OperatorDef d)
        {
            DynamicQuantOp op = Common(d, OptionsType.DynamicConv2D);
            op._conv = true;
            OpCheck.Rank(d, op._in, 4, "input");
            OpCheck.Rank(d, op._w, 4, "filter");
            OpCheck.Rank(d, op._out, 4, "output");
            op._win = GroupedConvWindow.Read(d, op._in, op._w, op._out);
            op.Tail(d, op._win.OutC, 9, 10, 11);
            return op;
        }

        public static OpKernel PrepareFullyConnected(OperatorDef d)
        {
            DynamicQuantOp op = Common(d, OptionsType.DynamicFullyConnected);
            OpCheck.Rank(d, op._w, 2, "weights");
            int r = op._in.Rank;
            if (r < 1) throw d.Error("input must have rank 1 or more");
            OpCheck.Rank(d, op._out, r, "output");
            op._n = op._w.Shape[0]; op._k = op._w.Shape[1];
            OpCheck.Positive(d, op._n, "N"); OpCheck.Positive(d, op._k, "K");
            OpCheck.Dim(d, op._in, r - 1, op._k, "input");
            for (int a = 0; a < r - 1; a++) OpCheck.Dim(d, op._out, a, op._in.Shape[a], "output");
            OpCheck.Dim(d, op._out, r - 1, op._n, "output");
            op._rows = op._in.ElementCount / op._k;
            op.Tail(d, op._n, 0, 1, 2);
            return op;
        }

        private static DynamicQuantOp Common(OperatorDef d, int options)
        {
            OpCheck.InputCount(d, 2, 3);
            OpCheck.OutputCount(d, 2);
            d.RequireOptions(options);
            DynamicQuantOp op = new DynamicQuantOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._w = OpCheck.Required(d, 1, "weights");
            op._bias = d.Input(2);
            op._out = d.Output(0);
            op._q = d.Output(1);
            OpCheck.Type(d, op._in, DType.Float32, "input");
            OpCheck.Type(d, op._w, DType.Int8, "weights");
            if (!op._w.IsConstant) throw d.Error("weights must be a constant");
            OpCheck.Type(d, op._out, DType.Float32, "output");
            OpCheck.Type(d, op._q, DType.UInt8, "scratch (output 1)");
            if (op._in.IsConstant) throw d.Error("input must be an activation");
            OpCheck.SameShape(d, op._in, op._q, "input and scratch (output 1)");
            return op;
        }

        private void Tail(OperatorDef d, int channels, int scaleSlot, int minSlot, int maxSlot)
        {
            if (_bias != null)
            {
                OpCheck.Type(d, _bias, DType.Float32, "bias");
                if (_bias.ElementCount != channels) throw d.Error("bias must have one entry per output channel");
            }
            _wScale = d.Floats(scaleSlot, "weight_scale");
            if (_wScale.Length != 1 && _wScale.Length != channels) throw d.Error("weight_scale must have 1 entry or one per output channel");
            for (int c = 0; c < _wScale.Length; c++)
                if (!(_wScale[c] > 0) || _wScale[c] > 3.4e38f) throw d.Error("weight_scale entries must be positive and finite");
            _actMin = d.Float(minSlot, -float.MaxValue, "act_min");
            _actMax = d.Float(maxSlot, float.MaxValue, "act_max");
            if (!(_actMin <= _actMax)) throw d.Error("act_min must not exceed act_max");
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            float xScale = DynamicQuant.Quantize(arena, _in.DataOffset, _in.ElementCount, arena, _q.DataOffset, _zp);
            byte[] bias = _bias == null ? null : Data(_bias, arena, model);
            int biasOffset = _bias == null ? 0 : _bias.DataOffset;
            if (_conv)
                DynamicQuant.Conv2D(arena, _q.DataOffset, _zp[0], xScale, _win.Batches, _win.InH, _win.InW, _win.InC,
                    model, _w.DataOffset, _win.OutC, _win.KernelH, _win.KernelW, _win.Group, _wScale, bias, biasOffset,
                    _win.StrideH, _win.StrideW, _win.DilationH, _win.DilationW, _win.PadTop, _win.PadLeft, arena, _out.DataOffset, _win.OutH, _win.OutW, _actMin, _actMax);
            else
                DynamicQuant.FullyConnected(arena, _q.DataOffset, _zp[0], xScale, _rows, _k,
                    model, _w.DataOffset, _n, _wScale, bias, biasOffset, arena, _out.DataOffset, _actMin, _actMax);
        }
    }
}
