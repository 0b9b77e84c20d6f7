using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>
    /// QLINEAR_CONV (format 1.2): ONNX QLinearConv / ConvInteger, NHWC input, OHWI weights (constant), optional
    /// int32 bias, groups; ONNX Runtime's float requantization (QLinearConvOptions). Alternate kernel sets may
    /// replace it (<see cref="Params"/>).
    /// </summary>
    public sealed class QLinearConvOp : OpKernel
    {
        private TensorInfo _in, _w, _bias, _out;
        private bool _inSigned, _wSigned, _pairSat;
        private GroupedConvWindow _win;
        private int _inZp, _outZp, _actMin, _actMax, _outKind;
        private int[] _wZp;
        private float[] _scale;

        /// <summary>The validated parameters, for alternate kernel sets.</summary>
        public QLinearConvParams Params;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 2, 3);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.QLinearConv);
            QLinearConvOp op = new QLinearConvOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._w = OpCheck.Required(d, 1, "filter");
            op._bias = d.Input(2);
            op._out = d.Output(0);
            OpCheck.Rank(d, op._in, 4, "input");
            OpCheck.Rank(d, op._w, 4, "filter");
            OpCheck.Rank(d, op._out, 4, "output");
            op._inSigned = QLinearCheck.Signed8(d, op._in, "input");
            op._wSigned = QLinearCheck.Signed8(d, op._w, "filter");
            if (!op._w.IsConstant) throw d.Error("filter must be a constant");
            op._outKind = QLinearCheck.OutKind(d, op._out);
            op._win = GroupedConvWindow.Read(d, op._in, op._w, op._out);
            if (op._bias != null)
            {
                OpCheck.Type(d, op._bias, DType.Int32, "bias");
                if (op._bias.ElementCount != op._win.OutC) throw d.Error("bias must have one entry per output channel");
            }
            QLinearFields q = QLinearFields.Read(d, 9, op._in, "input", op._w, "filter", op._win.OutC, op._out);
            op._inZp = q.InputZeroPoint; op._wZp = q.WeightZeroPoint; op._outZp = q.OutputZeroPoint;
            op._actMin = q.ActMin; op._actMax = q.ActMax; op._scale = q.Scale; op._pairSat = q.PairSaturation;
            QLinearConvParams p = new QLinearConvParams();
            p.Input = op._in; p.Filter = op._w; p.Bias = op._bias; p.Output = op._out;
            p.InSigned = op._inSigned; p.WSigned = op._wSigned; p.PairSaturation = op._pairSat;
            p.Batches = op._win.Batches; p.InH = op._win.InH; p.InW = op._win.InW; p.InC = op._win.InC; p.OutC = op._win.OutC;
            p.KernelH = op._win.KernelH; p.KernelW = op._win.KernelW; p.Group = op._win.Group; p.OutH = op._win.OutH; p.OutW = op._win.OutW;
            p.StrideH = op._win.StrideH; p.StrideW = op._win.StrideW; p.DilationH = op._win.DilationH; p.DilationW = op._win.DilationW; p.PadTop = op._win.PadTop; p.PadLeft = op._win.PadLeft;
            p.InputZeroPoint = op._inZp; p.OutputZeroPoint = op._outZp; p.ActMin = op._actMin; p.ActMax = op._actMax;
            p.OutKind = op._outKind; p.WeightZeroPoint = op._wZp; p.Scale = op._scale;
            op.Params = p;
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            QLinearConv.Eval(
                Data(_in, arena, model), _in.DataOffset, _inSigned, _win.Batches, _win.InH, _win.InW, _win.InC,
                model, _w.DataOffset, _wSigned, _win.OutC, _win.KernelH, _win.KernelW, _win.Group,
                _bias == null ? null : Data(_bias, arena, model), _bias == null ? 0 : _bias.DataOffset,
                _win.StrideH, _win.StrideW, _win.DilationH, _win.DilationW, _win.PadTop, _win.PadLeft, _inZp, _wZp,
                arena, _out.DataOffset, _win.OutH, _win.OutW, _outKind, _scale, _outZp, _actMin, _actMax, _pairSat);
        }
    }
}
