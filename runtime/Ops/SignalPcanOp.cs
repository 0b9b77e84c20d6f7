using Edge.Kernels.Reference.Signal;

namespace Edge.Runtime
{
    /// <summary>SignalPCAN: per-channel gain from the noise estimate through an int16 LUT, then the shrink function.</summary>
    public sealed class SignalPcanOp : OpKernel
    {
        private TensorInfo _in, _noise, _lut, _out;
        private int _snrShift;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 3, 3);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.SignalPcan);
            SignalPcanOp op = new SignalPcanOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._noise = OpCheck.Required(d, 1, "noise estimate");
            op._lut = OpCheck.Required(d, 2, "gain LUT");
            op._out = d.Output(0);
            OpCheck.Type(d, op._in, DType.UInt32, "input");
            OpCheck.Type(d, op._noise, DType.UInt32, "noise estimate");
            OpCheck.Type(d, op._lut, DType.Int16, "gain LUT");
            OpCheck.Type(d, op._out, DType.UInt32, "output");
            OpCheck.Rank(d, op._in, 1, "input");
            OpCheck.Positive(d, op._in.ElementCount, "channel count");
            if (op._noise.ElementCount != op._in.ElementCount || op._out.ElementCount != op._in.ElementCount)
                throw d.Error("input, noise estimate and output must have the same length");
            // WideDynamicFunction reads lut[4·msb − 6 .. +2] with msb up to 32.
            if (op._lut.ElementCount < 4 * 32 - 6 + 3) throw d.Error("gain LUT needs at least 125 entries");
            op._snrShift = d.Int(0, 0, "snr_shift");
            if (op._snrShift < 0 || op._snrShift > 63) throw d.Error("snr_shift must be in [0, 63]");
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            Pcan.Eval(Data(_in, arena, model), _in.DataOffset, Data(_noise, arena, model), _noise.DataOffset, Data(_lut, arena, model), _lut.DataOffset,
                _in.ElementCount, _snrShift, arena, _out.DataOffset);
        }
    }
}
