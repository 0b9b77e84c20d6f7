"""Makes torch_mixed.onnx, a float network exported by PyTorch (Debian python3-torch 1.13, opset 13) that uses every
op Edge's PTQ quantizes beyond torch_cnn.onnx except Pad (torch 1.13 exports F.pad through Shape/Slice arithmetic): BatchNorm after a Conv and standalone, Add (residual), Mul by a
constant, Sigmoid, Concat, AveragePool, GlobalAveragePool, Transpose, MatMul, Softmax. Calibration samples
are torch_cal/*.npy (shared with torch_cnn); PyTorch's float outputs for them go to torch_mixed_out.npy."""
import numpy as np
import torch

torch.manual_seed(7)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.b1 = torch.nn.BatchNorm2d(4)
        self.c2 = torch.nn.Conv2d(4, 4, 3, padding=1)
        self.b2 = torch.nn.BatchNorm2d(8)
        self.w = torch.nn.Parameter(torch.randn(8, 6) * 0.5)
        self.k = torch.nn.Parameter(torch.rand(1, 4, 1, 1) + 0.5)

    def forward(self, x):
        a = torch.relu(self.b1(self.c1(x)))                       # Conv+BN+Relu
        b = self.c2(a) + a                                         # residual Add
        g = torch.sigmoid(b * self.k)                              # Mul by a constant, Sigmoid
        c = torch.cat([b, g], dim=1)                               # Concat -> 8 channels
        c = self.b2(c)                                             # standalone BN (no conv before it)
        c = torch.nn.functional.avg_pool2d(c, 2)                   # AveragePool
        p = torch.nn.functional.adaptive_avg_pool2d(c, 1)          # GlobalAveragePool
        t = p.flatten(1)                                           # [1, 8]
        y = torch.matmul(t, self.w)                                # MatMul with a constant
        return torch.softmax(y, dim=-1)


net = Net()
net.train()
with torch.no_grad():
    for _ in range(4):
        net(torch.rand(8, 1, 12, 12))
net.eval()
torch.onnx.export(net, torch.zeros(1, 1, 12, 12), "torch_mixed.onnx", opset_version=13,
                  input_names=["input"], output_names=["probs"])
outs = []
for i in range(16):
    x = np.load(f"torch_cal/{i:02d}.npy")
    with torch.no_grad():
        outs.append(net(torch.from_numpy(x)).numpy()[0])
np.save("torch_mixed_out.npy", np.stack(outs).astype(np.float32))
