# AdamW's multi-tensor ops (org.qqt.train.AdamW): forward = global gradient norm, step = torch's fused AdamW over one
# parameter group then zeroed gradients, zero = zeroed gradients. The step count and the gradient divisor are float32
# tensors on the parameters' device, as torch.optim.AdamW(fused=True) keeps them (the CUDA kernel reads them there);
# the kernel only reads the step counts, so one tensor made per step serves every parameter. step and zero return
# the gradient list: the graph optimiser treats ops.prim.grad's results as fresh values and drops an in-place op on
# them whose result is unused.
class Op(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.Op,
    params: List[Tensor]) -> Tensor:
    grads = annotate(List[Tensor], [])
    for p in params:
      grads.append(ops.prim.grad(p))
    return torch.linalg_vector_norm(torch.stack(torch._foreach_norm(grads, 2)))
  def step(self: __torch__.Op,
    params: List[Tensor],
    exp_avgs: List[Tensor],
    exp_avg_sqs: List[Tensor],
    weight_decay: float,
    count: float,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    grad_divisor: float) -> List[Tensor]:
    grads = annotate(List[Tensor], [])
    steps = annotate(List[Tensor], [])
    count_t = torch.full([1], count, dtype=6, device=ops.prim.device(params[0]))
    for p in params:
      grads.append(ops.prim.grad(p))
      steps.append(count_t)
    divisor = annotate(Optional[Tensor], None)
    if grad_divisor != 1.:
      divisor = torch.full([1], grad_divisor, dtype=6, device=ops.prim.device(params[0]))
    torch._fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, annotate(List[Tensor], []), steps, lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=False, maximize=False, grad_scale=divisor, found_inf=None)
    torch._foreach_zero_(grads)
    return grads
  def zero(self: __torch__.Op,
    params: List[Tensor]) -> List[Tensor]:
    grads = annotate(List[Tensor], [])
    for p in params:
      grads.append(ops.prim.grad(p))
    torch._foreach_zero_(grads)
    return grads
