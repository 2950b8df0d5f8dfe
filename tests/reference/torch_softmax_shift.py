"""Reference values for tests/nn/softmax_shift_test.cpp: log_softmax and
cross_entropy in float32 are invariant to a common logit offset in PyTorch
(it subtracts the row maximum first; test_nn.py's test_log_softmax_big adds
1e7 to small integers and expects the same result). Run once with Debian's
torch: /usr/bin/python3 tests/reference/torch_softmax_shift.py; the test
stores the printed values."""
import torch
import torch.nn.functional as F

logits = torch.tensor([[0.5, -1.25, 2.0, 0.75], [3.0, 3.0, -2.5, 1.0]], dtype=torch.float32)
target = torch.tensor([2, 3])
print("torch", torch.__version__)
for offset in (0.0, 1e5, 1e7):
    x = logits + offset
    print(f"offset {offset:g}: log_softmax {[[float(v) for v in row] for row in F.log_softmax(x, 1)]}")
    print(f"  cross_entropy {float(F.cross_entropy(x, target)):.9g}")
