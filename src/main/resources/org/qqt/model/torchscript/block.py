class Op(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.Op,
    x: Tensor,
    ln1w: Tensor,
    ln1b: Tensor,
    inw: Tensor,
    inb: Tensor,
    outw: Tensor,
    outb: Tensor,
    ln2w: Tensor,
    ln2b: Tensor,
    fcw: Tensor,
    fcb: Tensor,
    pw: Tensor,
    pb: Tensor) -> Tensor:
    b = torch.size(x, 0)
    t = torch.size(x, 1)
    w = torch.size(x, 2)
    hd = torch.floordiv(w, HEADS)
    h = torch.layer_norm(x, [w], ln1w, ln1b, 1.0000000000000001e-05)
    qkv = torch.linear(torch.to(h, DTYPE), torch.to(inw, DTYPE), torch.to(inb, DTYPE))
    qkv = torch.permute(torch.reshape(torch.to(qkv, 6), [b, t, 3, HEADS, hd]), [2, 0, 3, 1, 4])
    q = torch.mul(torch.select(qkv, 0, 0), torch.pow(hd, -0.5))
    k = torch.select(qkv, 0, 1)
    v = torch.select(qkv, 0, 2)
    a = torch.softmax(torch.matmul(q, torch.transpose(k, 2, 3)), -1)
    m = torch.reshape(torch.permute(torch.matmul(a, v), [0, 2, 1, 3]), [b, t, w])
    o = torch.linear(torch.to(m, DTYPE), torch.to(outw, DTYPE), torch.to(outb, DTYPE))
    x = torch.add(x, torch.to(o, 6))
    h2 = torch.layer_norm(x, [w], ln2w, ln2b, 1.0000000000000001e-05)
    f = torch.gelu(torch.to(torch.linear(torch.to(h2, DTYPE), torch.to(fcw, DTYPE), torch.to(fcb, DTYPE)), 6))
    p = torch.linear(torch.to(f, DTYPE), torch.to(pw, DTYPE), torch.to(pb, DTYPE))
    return torch.add(x, torch.to(p, 6))
