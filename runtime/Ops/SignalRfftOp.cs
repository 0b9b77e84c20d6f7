using Edge.Kernels.Reference.Signal;

namespace Edge.Runtime
{
    /// <summary>
    /// SignalRfft, int16 (kiss_fft fixed point): one real FFT of fft_length points per input row. The radix plan
    /// and the twiddles come from the file (computed on the host); the scratch is allocated here, once.
    /// </summary>
    public sealed class SignalRfftOp : OpKernel
    {
        private TensorInfo _in, _out;
        private int _fftLength, _inputLength, _rows, _outRowBytes;
        private int[] _factors;
        private short[] _twRe, _twIm, _superRe, _superIm, _inRe, _inIm, _zRe, _zIm;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.SignalRfft);
            SignalRfftOp op = new SignalRfftOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            OpCheck.Type(d, op._in, DType.Int16, "input");
            OpCheck.Type(d, op._out, DType.Int16, "output");
            if (op._in.Rank < 1 || op._out.Rank != op._in.Rank) throw d.Error("input and output must have the same rank (at least 1)");
            int n = d.Int(0, 0, "fft_length");
            if (n < 2 || (n & 1) != 0 || n > 65536) throw d.Error(string.Concat("fft_length ", n.ToString(), " must be even, in [2, 65536]"));
            op._fftLength = n;
            int c = n / 2;
            op._inputLength = op._in.Shape[op._in.Rank - 1];
            if (op._inputLength > n) throw d.Error("input rows are longer than fft_length");
            op._rows = op._in.ElementCount / (op._inputLength == 0 ? 1 : op._inputLength);
            int outLength = op._out.Shape[op._out.Rank - 1];
            if (outLength != 2 * (c + 1)) throw d.Error(string.Concat("output rows must hold fft_length / 2 + 1 complex values (", (2 * (c + 1)).ToString(), " int16)"));
            if (op._out.ElementCount != op._rows * outLength) throw d.Error("output and input row counts differ");
            op._outRowBytes = 2 * outLength;
            op._factors = d.Ints(1, "factors");
            int product = 1, count = op._factors.Length;
            if (count < 2 || (count & 1) != 0) throw d.Error("factors must be (radix, remaining length) pairs");
            int remaining = c;
            for (int i = 0; i < count; i += 2)
            {
                int p = op._factors[i], m = op._factors[i + 1];
                if (p != 2 && p != 4) throw d.Error(string.Concat("radix ", p.ToString(), " is not supported (2 and 4 are)"));
                if (m * p != remaining) throw d.Error("factors do not describe fft_length / 2");
                remaining = m;
                product *= p;
            }
            if (remaining != 1 || product != c) throw d.Error("factors do not multiply to fft_length / 2");
            int[] tw = d.Ints(2, "twiddles");
            int[] sup = d.Ints(3, "super_twiddles");
            OpCheck.Length(d, tw, 2 * c, "twiddles");
            OpCheck.Length(d, sup, 2 * (c / 2), "super_twiddles");
            op._twRe = new short[c]; op._twIm = new short[c];
            for (int i = 0; i < c; i++) { op._twRe[i] = ToInt16(d, tw[2 * i]); op._twIm[i] = ToInt16(d, tw[2 * i + 1]); }
            int half = c / 2;
            op._superRe = new short[half == 0 ? 1 : half]; op._superIm = new short[half == 0 ? 1 : half];
            for (int i = 0; i < half; i++) { op._superRe[i] = ToInt16(d, sup[2 * i]); op._superIm[i] = ToInt16(d, sup[2 * i + 1]); }
            op._inRe = new short[c]; op._inIm = new short[c]; op._zRe = new short[c]; op._zIm = new short[c];
            return op;
        }

        private static short ToInt16(OperatorDef d, int v)
        {
            if (v < -32768 || v > 32767) throw d.Error("twiddle outside int16");
            return (short)v;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            byte[] input = Data(_in, arena, model);
            for (int r = 0; r < _rows; r++)
                Rfft.Eval(input, _in.DataOffset + 2 * r * _inputLength, _inputLength, _fftLength, _factors, _twRe, _twIm, _superRe, _superIm,
                    _inRe, _inIm, _zRe, _zIm, arena, _out.DataOffset + r * _outRowBytes);
        }
    }
}
