#!/usr/bin/python3
"""Reference numbers for tests/nn/torch_upsample_test.cpp, from Debian's torch 1.13.

ConvTranspose2d (stride, padding, output_padding, dilation, groups, with and without
bias, padding larger than the kernel reach) and Upsample (nearest and bilinear, by size
and by scale factor, align_corners both ways) on random float64 inputs. For each case
the inputs, the parameters, an upstream gradient g, the output y and the gradients of
sum(y * g) with respect to the input and every parameter are written; the C++ test
reads the inputs back, so it needs no generator of its own.

Run:  /usr/bin/python3 tests/reference/torch_upsample.py > tests/reference/data/torch_upsample.txt
Format: one line per record, "name value value ...", values printed with repr().
"""
import torch

torch.manual_seed(15)
D = torch.float64


def emit(name, t):
    print(name + " " + " ".join(repr(v) for v in t.detach().flatten().tolist()))


# name, in, out, kernel, stride, padding, output_padding, groups, bias, dilation, x shape
CONV_T = [
    ("ct_basic", 3, 4, (3, 3), (1, 1), (0, 0), (0, 0), 1, True, (1, 1), (2, 3, 5, 4)),
    ("ct_stride", 2, 3, (3, 4), (2, 3), (1, 2), (1, 2), 1, True, (1, 1), (2, 2, 4, 3)),
    ("ct_groups_dilation", 4, 6, (3, 3), (2, 2), (2, 2), (1, 1), 2, False, (2, 2), (2, 4, 4, 5)),
    ("ct_crop", 2, 2, (2, 2), (3, 3), (2, 2), (0, 0), 1, True, (1, 1), (1, 2, 4, 3)),
]

for name, cin, cout, k, s, p, op, g, bias, d, xs in CONV_T:
    m = torch.nn.ConvTranspose2d(cin, cout, k, stride=s, padding=p, output_padding=op, groups=g,
                                 bias=bias, dilation=d).to(D)
    x = torch.randn(xs, dtype=D, requires_grad=True)
    y = m(x)
    up = torch.randn(y.shape, dtype=D)
    (y * up).sum().backward()
    emit(name + ".x", x)
    emit(name + ".weight", m.weight)
    if bias:
        emit(name + ".bias", m.bias)
    emit(name + ".g", up)
    emit(name + ".y", y)
    emit(name + ".dx", x.grad)
    emit(name + ".dweight", m.weight.grad)
    if bias:
        emit(name + ".dbias", m.bias.grad)

# name, size, scale_factor, mode, align_corners, x shape
UPSAMPLE = [
    ("up_nearest_size", (7, 5), None, "nearest", None, (2, 3, 4, 6)),
    ("up_nearest_scale", None, (2.0, 3.0), "nearest", None, (1, 2, 3, 4)),
    ("up_nearest_frac", None, (1.5, 0.5), "nearest", None, (1, 2, 5, 6)),
    ("up_bilinear_scale", None, (2.0, 2.0), "bilinear", False, (2, 2, 3, 4)),
    ("up_bilinear_corners", (7, 9), None, "bilinear", True, (1, 3, 4, 5)),
    ("up_bilinear_down", (3, 10), None, "bilinear", False, (1, 2, 5, 4)),
    ("up_bilinear_frac", None, (1.7, 2.3), "bilinear", False, (1, 1, 4, 3)),
]

for name, size, scale, mode, corners, xs in UPSAMPLE:
    m = torch.nn.Upsample(size=size, scale_factor=scale, mode=mode, align_corners=corners)
    x = torch.randn(xs, dtype=D, requires_grad=True)
    y = m(x)
    up = torch.randn(y.shape, dtype=D)
    (y * up).sum().backward()
    emit(name + ".x", x)
    emit(name + ".g", up)
    emit(name + ".y", y)
    emit(name + ".dx", x.grad)
