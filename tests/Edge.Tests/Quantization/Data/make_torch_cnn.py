"""Makes torch_cnn.onnx, a small float CNN exported by PyTorch (Debian python3-torch 1.13, python3-onnx), with
calibration samples torch_cal/*.npy and PyTorch's own float outputs for them (torch_out.npy, [N, 5]). Run once
with /usr/bin/python3; the files are committed. The network uses ReLU6 (exported as Clip with constant bounds)
and view() (a Reshape with a constant shape), the forms a float export carries."""
import os
import numpy as np
import torch

torch.manual_seed(3)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(1, 6, 3, padding=1)
        self.c2 = torch.nn.Conv2d(6, 8, 3, stride=2, padding=1)
        self.fc = torch.nn.Linear(8 * 3 * 3, 5)

    def forward(self, x):
        x = torch.relu(self.c1(x))
        x = torch.nn.functional.max_pool2d(x, 2)
        x = torch.nn.functional.relu6(self.c2(x))
        x = x.view(1, -1)
        return self.fc(x)


net = Net().eval()
torch.onnx.export(net, torch.zeros(1, 1, 12, 12), "torch_cnn.onnx", opset_version=13,
                  input_names=["input"], output_names=["logits"])
os.makedirs("torch_cal", exist_ok=True)
rng = np.random.default_rng(5)
outs = []
for i in range(16):
    x = rng.random((1, 1, 12, 12), dtype=np.float32)
    np.save(f"torch_cal/{i:02d}.npy", x)
    with torch.no_grad():
        outs.append(net(torch.from_numpy(x)).numpy()[0])
np.save("torch_out.npy", np.stack(outs).astype(np.float32))
