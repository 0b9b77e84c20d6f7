using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>
    /// QLINEAR_MATMUL (format 1.2): ONNX QLinearMatMul / MatMulInteger / Gemm. A [..., M, K] and B [..., K, N]
    /// (constant or activation; batch dimensions broadcast as numpy), optional int32 bias [N]; ONNX Runtime's
    /// float requantization per column (QLinearMatMulOptions). Alternate kernel sets may replace it
    /// (<see cref="Params"/>).
    /// </summary>
    public sealed class QLinearMatMulOp : OpKernel
    {
        private TensorInfo _a, _b, _bias, _out;
        private bool _aSigned, _bSigned, _pairSat;
        private int _m, _k, _n, _batches, _aZp, _outZp, _actMin, _actMax, _outKind;
        private int[] _aBatch, _bBatch, _bZp;
        private float[] _scale;

        /// <summary>The validated parameters, for alternate kernel sets.</summary>
        public QLinearMatMulParams Params;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 2, 3);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.QLinearMatMul);
            QLinearMatMulOp op = new QLinearMatMulOp();
            op._a = OpCheck.Required(d, 0, "A");
            op._b = OpCheck.Required(d, 1, "B");
            op._bias = d.Input(2);
            op._out = d.Output(0);
            op._aSigned = QLinearCheck.Signed8(d, op._a, "A");
            op._bSigned = QLinearCheck.Signed8(d, op._b, "B");
            op._outKind = QLinearCheck.OutKind(d, op._out);
            int ra = op._a.Rank, rb = op._b.Rank, ro = op._out.Rank;
            if (ra < 2 || rb < 2) throw d.Error("A and B must have rank 2 or more");
            int rank = ra > rb ? ra : rb;
            OpCheck.Rank(d, op._out, rank, "output");
            op._m = op._a.Shape[ra - 2]; op._k = op._a.Shape[ra - 1];
            op._n = op._b.Shape[rb - 1];
            OpCheck.Dim(d, op._b, rb - 2, op._k, "B");
            OpCheck.Dim(d, op._out, ro - 2, op._m, "output");
            OpCheck.Dim(d, op._out, ro - 1, op._n, "output");
            // Broadcast batch dimensions (numpy): output batch index -> byte offsets of A's and B's matrices.
            int batches = 1;
            for (int i = 0; i < rank - 2; i++)
            {
                int da = i - (rank - ra) >= 0 ? op._a.Shape[i - (rank - ra)] : 1;
                int db = i - (rank - rb) >= 0 ? op._b.Shape[i - (rank - rb)] : 1;
                if (da != db && da != 1 && db != 1) throw d.Error("A and B batch dimensions do not broadcast");
                int dout = da > db ? da : db;
                OpCheck.Dim(d, op._out, i, dout, "output");
                batches *= dout;
            }
            op._batches = batches;
            op._aBatch = new int[batches];
            op._bBatch = new int[batches];
            int[] idx = new int[rank > 2 ? rank - 2 : 1];
            for (int bi = 0; bi < batches; bi++)
            {
                // idx = multi-index of bi over the output batch dims
                int rem = bi;
                for (int i = rank - 3; i >= 0; i--) { idx[i] = rem % op._out.Shape[i]; rem /= op._out.Shape[i]; }
                int aOff = 0, bOff = 0;
                for (int i = 0; i < rank - 2; i++)
                {
                    int ia = i - (rank - ra), ib = i - (rank - rb);
                    if (ia >= 0) aOff = aOff * op._a.Shape[ia] + (op._a.Shape[ia] == 1 ? 0 : idx[i]);
                    if (ib >= 0) bOff = bOff * op._b.Shape[ib] + (op._b.Shape[ib] == 1 ? 0 : idx[i]);
                }
                op._aBatch[bi] = aOff * op._m * op._k;
                op._bBatch[bi] = bOff * op._k * op._n;
            }
            if (op._bias != null)
            {
                OpCheck.Type(d, op._bias, DType.Int32, "bias");
                if (op._bias.ElementCount != op._n) throw d.Error("bias must have one entry per column N");
            }
            QLinearFields f = QLinearFields.Read(d, 0, op._a, "A", op._b, "B", op._n, op._out);
            op._aZp = f.InputZeroPoint; op._bZp = f.WeightZeroPoint; op._outZp = f.OutputZeroPoint;
            op._actMin = f.ActMin; op._actMax = f.ActMax; op._scale = f.Scale; op._pairSat = f.PairSaturation;
            QLinearMatMulParams p = new QLinearMatMulParams();
            p.A = op._a; p.B = op._b; p.Bias = op._bias; p.Output = op._out;
            p.ASigned = op._aSigned; p.BSigned = op._bSigned; p.PairSaturation = op._pairSat;
            p.M = op._m; p.K = op._k; p.N = op._n; p.Batches = op._batches; p.ABatch = op._aBatch; p.BBatch = op._bBatch;
            p.InputZeroPoint = op._aZp; p.OutputZeroPoint = op._outZp; p.ActMin = op._actMin; p.ActMax = op._actMax;
            p.OutKind = op._outKind; p.WeightZeroPoint = op._bZp; p.Scale = op._scale;
            op.Params = p;
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            QLinearMatMul.Eval(
                Data(_a, arena, model), _a.DataOffset, _aSigned, _aBatch,
                Data(_b, arena, model), _b.DataOffset, _bSigned, _bBatch,
                _batches, _m, _k, _n,
                _bias == null ? null : Data(_bias, arena, model), _bias == null ? 0 : _bias.DataOffset,
                _aZp, _bZp, arena, _out.DataOffset, _outKind, _scale, _outZp, _actMin, _actMax, _pairSat);
        }
    }
}
