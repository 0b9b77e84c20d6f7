using Edge.Kernels.Reference.Signal;

namespace Edge.Runtime
{
    /// <summary>
    /// SignalFilterBankSpectralSubtraction. Input 1 is a state tensor (Model.state_tensors): the noise estimate
    /// that persists across invokes, zero in a new interpreter and after ResetState(); output 1 receives a copy.
    /// </summary>
    public sealed class SignalSpectralSubtractionOp : OpKernel
    {
        private TensorInfo _in, _state, _out, _noiseOut;
        private int _channels, _smoothingBits, _subtractionBits;
        private uint _smoothing, _oneMinus, _altSmoothing, _altOneMinus, _minSignal;
        private bool _clamping;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 2, 2);
            OpCheck.OutputCount(d, 2);
            d.RequireOptions(OptionsType.SignalSpectralSubtraction);
            SignalSpectralSubtractionOp op = new SignalSpectralSubtractionOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._state = OpCheck.Required(d, 1, "noise estimate state");
            op._out = d.Output(0);
            op._noiseOut = d.Output(1);
            OpCheck.Type(d, op._in, DType.UInt32, "input");
            OpCheck.Type(d, op._state, DType.UInt32, "noise estimate state");
            OpCheck.Type(d, op._out, DType.UInt32, "output");
            OpCheck.Type(d, op._noiseOut, DType.UInt32, "noise estimate output");
            OpCheck.Rank(d, op._in, 1, "input");
            bool isState = false;
            int[] st = d.Owner.StateTensors;
            for (int i = 0; st != null && i < st.Length; i++) if (st[i] == d.Inputs[1]) isState = true;
            if (!isState) throw d.Error("input 1 (the noise estimate) must be listed in model.state_tensors");
            op._channels = d.Int(0, 0, "num_channels");
            OpCheck.Positive(d, op._channels, "num_channels");
            if (op._in.ElementCount != op._channels || op._state.ElementCount != op._channels
                || op._out.ElementCount != op._channels || op._noiseOut.ElementCount != op._channels)
                throw d.Error("input, state and outputs must hold num_channels values");
            op._smoothing = (uint)d.Int(1, 0, "smoothing");
            op._oneMinus = (uint)d.Int(2, 0, "one_minus_smoothing");
            op._altSmoothing = (uint)d.Int(3, 0, "alternate_smoothing");
            op._altOneMinus = (uint)d.Int(4, 0, "alternate_one_minus_smoothing");
            op._smoothingBits = d.Int(5, 0, "smoothing_bits");
            op._subtractionBits = d.Int(6, 0, "spectral_subtraction_bits");
            op._minSignal = (uint)d.Int(7, 0, "min_signal_remaining");
            op._clamping = d.Bool(8, "clamping");
            if (op._smoothingBits < 0 || op._smoothingBits > 31) throw d.Error("smoothing_bits must be in [0, 31]");
            if (op._subtractionBits < 0 || op._subtractionBits > 63) throw d.Error("spectral_subtraction_bits must be in [0, 63]");
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            SpectralSubtraction.Eval(Data(_in, arena, model), _in.DataOffset, _channels, _smoothing, _oneMinus, _altSmoothing, _altOneMinus,
                _smoothingBits, _subtractionBits, _minSignal, _clamping, arena, _state.DataOffset, arena, _out.DataOffset, arena, _noiseOut.DataOffset);
        }
    }
}
