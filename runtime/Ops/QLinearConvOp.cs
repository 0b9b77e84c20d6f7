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
        private int _batches, _inH, _inW, _inC, _outC, _kH, _kW, _group, _outH, _outW;
        private int _sh, _sw, _dh, _dw, _pt, _pl, _inZp, _outZp, _actMin, _actMax, _outKind;
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
            int[] i = op._in.Shape, f = op._w.Shape, o = op._out.Shape;
            op._batches = i[0]; op._inH = i[1]; op._inW = i[2]; op._inC = i[3];
            op._outC = f[0]; op._kH = f[1]; op._kW = f[2];
            op._sw = d.Int(0, 1, "stride_w"); op._sh = d.Int(1, 1, "stride_h");
            op._dw = d.Int(2, 1, "dilation_w"); op._dh = d.Int(3, 1, "dilation_h");
            op._pt = d.Int(4, 0, "pad_top"); op._pl = d.Int(5, 0, "pad_left");
            int pb = d.Int(6, 0, "pad_bottom"), pr = d.Int(7, 0, "pad_right");
            op._group = d.Int(8, 1, "group");
            OpCheck.Positive(d, op._sw, "stride_w"); OpCheck.Positive(d, op._sh, "stride_h");
            OpCheck.Positive(d, op._dw, "dilation_w"); OpCheck.Positive(d, op._dh, "dilation_h");
            OpCheck.NonNegative(d, op._pt, "pad_top"); OpCheck.NonNegative(d, op._pl, "pad_left");
            OpCheck.NonNegative(d, pb, "pad_bottom"); OpCheck.NonNegative(d, pr, "pad_right");
            OpCheck.Positive(d, op._group, "group");
            OpCheck.Positive(d, op._kH, "filter height"); OpCheck.Positive(d, op._kW, "filter width");
            if (op._inC % op._group != 0 || op._outC % op._group != 0)
                throw d.Error("input and output channels must be multiples of group");
            OpCheck.Dim(d, op._w, 3, op._inC / op._group, "filter");
            op._outH = ConvGeometry.OutputSize(op._inH, op._kH, op._sh, op._dh, op._pt, pb);
            op._outW = ConvGeometry.OutputSize(op._inW, op._kW, op._sw, op._dw, op._pl, pr);
            OpCheck.Dim(d, op._out, 0, op._batches, "output");
            OpCheck.Dim(d, op._out, 1, op._outH, "output");
            OpCheck.Dim(d, op._out, 2, op._outW, "output");
            OpCheck.Dim(d, op._out, 3, op._outC, "output");
            if (op._bias != null)
            {
                OpCheck.Type(d, op._bias, DType.Int32, "bias");
                if (op._bias.ElementCount != op._outC) throw d.Error("bias must have one entry per output channel");
            }
            QLinearFields q = QLinearFields.Read(d, 9, op._in, "input", op._w, "filter", op._outC, op._out);
            op._inZp = q.InputZeroPoint; op._wZp = q.WeightZeroPoint; op._outZp = q.OutputZeroPoint;
            op._actMin = q.ActMin; op._actMax = q.ActMax; op._scale = q.Scale; op._pairSat = q.PairSaturation;
            QLinearConvParams p = new QLinearConvParams();
            p.Input = op._in; p.Filter = op._w; p.Bias = op._bias; p.Output = op._out;
            p.InSigned = op._inSigned; p.WSigned = op._wSigned; p.PairSaturation = op._pairSat;
            p.Batches = op._batches; p.InH = op._inH; p.InW = op._inW; p.InC = op._inC; p.OutC = op._outC;
            p.KernelH = op._kH; p.KernelW = op._kW; p.Group = op._group; p.OutH = op._outH; p.OutW = op._outW;
            p.StrideH = op._sh; p.StrideW = op._sw; p.DilationH = op._dh; p.DilationW = op._dw; p.PadTop = op._pt; p.PadLeft = op._pl;
            p.InputZeroPoint = op._inZp; p.OutputZeroPoint = op._outZp; p.ActMin = op._actMin; p.ActMax = op._actMax;
            p.OutKind = op._outKind; p.WeightZeroPoint = op._wZp; p.Scale = op._scale;
            op.Params = p;
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            QLinearConv.Eval(
                Data(_in, arena, model), _in.DataOffset, _inSigned, _batches, _inH, _inW, _inC,
                model, _w.DataOffset, _wSigned, _outC, _kH, _kW, _group,
                _bias == null ? null : Data(_bias, arena, model), _bias == null ? 0 : _bias.DataOffset,
                _sh, _sw, _dh, _dw, _pt, _pl, _inZp, _wZp,
                arena, _out.DataOffset, _outH, _outW, _outKind, _scale, _outZp, _actMin, _actMax, _pairSat);
        }
    }
}
