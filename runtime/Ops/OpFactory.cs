namespace Edge.Runtime
{
    /// <summary>Maps an operator to its Prepare. One file per op in runtime/Ops.</summary>
    public static class OpFactory
    {
        public static OpKernel Prepare(OperatorDef d)
        {
            switch (d.Type)
            {
                case OpType.Conv2D: return Conv2DOp.Prepare(d);
                case OpType.DepthwiseConv2D: return DepthwiseConv2DOp.Prepare(d);
                case OpType.FullyConnected: return FullyConnectedOp.Prepare(d);
                case OpType.Add:
                case OpType.Sub:
                    if (d.OptionsType == OptionsType.IntegerArithmetic) return Int32ArithmeticOp.Prepare(d);
                    return AddSubOp.Prepare(d);
                case OpType.Mul:
                    if (d.OptionsType == OptionsType.IntegerArithmetic) return Int32ArithmeticOp.Prepare(d);
                    return MulOp.Prepare(d);
                case OpType.Div:
                case OpType.Minimum:
                case OpType.Maximum: return Int32ArithmeticOp.Prepare(d);
                case OpType.Cast: return CastOp.Prepare(d);
                case OpType.SignalWindow: return SignalWindowOp.Prepare(d);
                case OpType.SignalFftAutoScale: return SignalFftAutoScaleOp.Prepare(d);
                case OpType.SignalRfft: return SignalRfftOp.Prepare(d);
                case OpType.SignalEnergy: return SignalEnergyOp.Prepare(d);
                case OpType.SignalFilterBank: return SignalFilterBankOp.Prepare(d);
                case OpType.SignalFilterBankSquareRoot: return SignalFilterBankSquareRootOp.Prepare(d);
                case OpType.SignalFilterBankSpectralSubtraction: return SignalSpectralSubtractionOp.Prepare(d);
                case OpType.SignalPcan: return SignalPcanOp.Prepare(d);
                case OpType.SignalFilterBankLog: return SignalFilterBankLogOp.Prepare(d);
                case OpType.AveragePool2D:
                case OpType.MaxPool2D: return Pool2DOp.Prepare(d);
                case OpType.Reshape: return ReshapeOp.Prepare(d);
                case OpType.Softmax: return SoftmaxOp.Prepare(d);
                case OpType.Logistic:
                case OpType.Tanh: return SigmoidTanhOp.Prepare(d);
                case OpType.Relu:
                case OpType.Relu6: return ReluOp.Prepare(d);
                case OpType.LeakyRelu: return LeakyReluOp.Prepare(d);
                case OpType.HardSwish: return HardSwishOp.Prepare(d);
                case OpType.Pad: return PadOp.Prepare(d);
                case OpType.Concatenation: return ConcatenationOp.Prepare(d);
                case OpType.Mean: return MeanOp.Prepare(d);
                case OpType.Quantize: return QuantizeOp.Prepare(d);
                case OpType.Dequantize: return DequantizeOp.Prepare(d);
                case OpType.Transpose: return TransposeOp.Prepare(d);
                case OpType.StridedSlice: return StridedSliceOp.Prepare(d);
                case OpType.QLinearConv: return QLinearConvOp.Prepare(d);
                case OpType.QLinearMatMul: return QLinearMatMulOp.Prepare(d);
                case OpType.QLinearBinary: return QLinearBinaryOp.Prepare(d);
                case OpType.Lookup: return LookupOp.Prepare(d);
                case OpType.QLinearAveragePool: return QLinearAveragePoolOp.Prepare(d);
                case OpType.QLinearSoftmax: return QLinearSoftmaxOp.Prepare(d);
                case OpType.DynamicConv2D: return DynamicQuantOp.PrepareConv(d);
                case OpType.DynamicFullyConnected: return DynamicQuantOp.PrepareFullyConnected(d);
                default:
                    throw d.Error("is not supported by this runtime build");
            }
        }
    }
}
