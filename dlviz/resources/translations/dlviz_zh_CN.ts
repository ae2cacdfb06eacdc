<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ActivationsView</name>
    <message>
        <source>f(z) blue, f′(z) orange, this layer&apos;s z on {n} training points green; &apos;flat&apos;: |f′(z)| &lt; {slope} (no gradient passes)</source>
        <translation>f(z) 蓝色，f′(z) 橙色，本层在 {n} 个训练点上的 z 为绿色；“平坦”：|f′(z)| &lt; {slope}（梯度无法通过）</translation>
    </message>
    <message>
        <source>pre-activation z</source>
        <translation>激活前的值 z</translation>
    </message>
    <message>
        <source>output</source>
        <translation>输出层</translation>
    </message>
    <message>
        <source>hidden layer {n}</source>
        <translation>隐藏层 {n}</translation>
    </message>
    <message>
        <source>{kind}: {activation}</source>
        <translation>{kind}：{activation}</translation>
    </message>
    <message>
        <source>  ·  δ = a − y (no slope in the way)</source>
        <translation>  ·  δ = a − y（中间没有斜率相乘）</translation>
    </message>
    <message>
        <source>  ·  flat {share} % of z</source>
        <translation>  ·  {share} % 的 z 处于平坦区</translation>
    </message>
    <message>
        <source>, {n} neuron(s) dead on every point</source>
        <translation>，{n} 个神经元在所有点上都“死亡”（输出恒为 0）</translation>
    </message>
    <message>
        <source>, {n} neuron(s) saturated on every point</source>
        <translation>，{n} 个神经元在所有点上都饱和</translation>
    </message>
</context>
<context>
    <name>Autosave</name>
    <message>
        <source>start autosave</source>
        <translation>启动自动保存</translation>
    </message>
    <message>
        <source>{n} automatically saved session(s) of an earlier run are kept: start dlviz without a file to restore them</source>
        <translation>保留了之前运行时自动保存的 {n} 个会话：不带文件启动 dlviz 即可恢复</translation>
    </message>
    <message>
        <source>autosave</source>
        <translation>自动保存</translation>
    </message>
    <message>
        <source>autosave failed: {error}</source>
        <translation>自动保存失败：{error}</translation>
    </message>
    <message>
        <source>dlviz did not close properly. A session was saved automatically {when}. Restore it?</source>
        <translation>dlviz 上次没有正常关闭。{when}自动保存了一个会话。要恢复它吗？</translation>
    </message>
    <message>
        <source>({n} more automatically saved session(s) follow.)</source>
        <translation>（后面还有 {n} 个自动保存的会话。）</translation>
    </message>
    <message>
        <source>Restore unsaved work?</source>
        <translation>恢复未保存的工作？</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>丢弃</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>以后再说</translation>
    </message>
    <message>
        <source>Keep it for the next start</source>
        <translation>留到下次启动时再处理</translation>
    </message>
    <message>
        <source>The damaged autosave is kept as {path}</source>
        <translation>损坏的自动保存文件已保留为 {path}</translation>
    </message>
    <message>
        <source>restored the session saved {when}</source>
        <translation>已恢复{when}保存的会话</translation>
    </message>
    <message>
        <source>; {n} more automatically saved session(s) are kept for the next start</source>
        <translation>；另有 {n} 个自动保存的会话留到下次启动</translation>
    </message>
    <message>
        <source>could not remove {path}: {reason}</source>
        <translation>无法删除 {path}：{reason}</translation>
    </message>
    <message>
        <source>at %H:%M today</source>
        <translation>于今天 %H:%M </translation>
    </message>
    <message>
        <source>at %H:%M on %d %b %Y</source>
        <translation>于 %Y-%m-%d %H:%M </translation>
    </message>
    <message>
        <source>just now</source>
        <translation>刚刚</translation>
    </message>
    <message>
        <source>{n} minutes ago</source>
        <translation>{n} 分钟前</translation>
    </message>
    <message>
        <source>{n} hours ago</source>
        <translation>{n} 小时前</translation>
    </message>
    <message>
        <source>{n} days ago</source>
        <translation>{n} 天前</translation>
    </message>
    <message>
        <source>{when} ({ago})</source>
        <translation>{when}（{ago}）</translation>
    </message>
</context>
<context>
    <name>BackpropView</name>
    <message>
        <source>1 · Forward pass</source>
        <translation>1 · 前向传播</translation>
    </message>
    <message>
        <source>2 · Loss</source>
        <translation>2 · 损失</translation>
    </message>
    <message>
        <source>3 · Backward pass</source>
        <translation>3 · 反向传播</translation>
    </message>
    <message>
        <source>4 · Update</source>
        <translation>4 · 更新</translation>
    </message>
    <message>
        <source>A batch of one: Apply moves the network by this point&apos;s gradient alone.</source>
        <translation>批大小为 1：“应用”只按这一个点的梯度更新网络。</translation>
    </message>
    <message>
        <source> + … ({n} more)</source>
        <translation> + …（另有 {n} 项）</translation>
    </message>
    <message>
        <source>over {n} outputs</source>
        <translation>（对 {n} 个输出求和）</translation>
    </message>
    <message>
        <source>(L1/L2 add {value} to the objective; training reports L)</source>
        <translation>（L1/L2 在目标函数上再加 {value}；训练显示的是 L）</translation>
    </message>
    <message>
        <source>… ({n} more edges)</source>
        <translation>…（另有 {n} 条连线）</translation>
    </message>
    <message>
        <source>… ({n} more weights)</source>
        <translation>…（另有 {n} 个权重）</translation>
    </message>
    <message>
        <source>the input a⁰ = [{inputs}]</source>
        <translation>输入 a⁰ = [{inputs}]</translation>
    </message>
    <message>
        <source>Next point</source>
        <translation>下一个点</translation>
    </message>
    <message>
        <source>the next training point, in turn</source>
        <translation>依次取下一个训练点</translation>
    </message>
    <message>
        <source>Pick on canvas</source>
        <translation>在画布上选取</translation>
    </message>
    <message>
        <source>then click a point of the data canvas</source>
        <translation>然后单击数据画布上的一个点</translation>
    </message>
    <message>
        <source>neuron </source>
        <translation>神经元 </translation>
    </message>
    <message>
        <source>whose numbers a large network shows</source>
        <translation>大网络中显示哪个神经元的数值</translation>
    </message>
    <message>
        <source>Point</source>
        <translation>点</translation>
    </message>
    <message>
        <source>target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>◀ Back</source>
        <translation>◀ 上一步</translation>
    </message>
    <message>
        <source>previous stage (←)</source>
        <translation>上一阶段（←）</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>下一步 ▶</translation>
    </message>
    <message>
        <source>next stage (→)</source>
        <translation>下一阶段（→）</translation>
    </message>
    <message>
        <source>Apply step</source>
        <translation>应用这一步</translation>
    </message>
    <message>
        <source>take this point&apos;s step in the network (a batch of one)</source>
        <translation>让网络按这个点走一步（批大小为 1）</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>丢弃</translation>
    </message>
    <message>
        <source>class {n}</source>
        <translation>第 {n} 类</translation>
    </message>
    <message>
        <source>There are no training points: draw some first.</source>
        <translation>没有训练点：请先画一些。</translation>
    </message>
    <message>
        <source>Click a point of the data canvas.</source>
        <translation>请单击数据画布上的一个点。</translation>
    </message>
    <message>
        <source>working out the step…</source>
        <translation>正在计算这一步…</translation>
    </message>
    <message>
        <source>step {step} worked out for the point ({point}): {n} stages; Next ▶ or → to walk through them</source>
        <translation>已为点 ({point}) 算出第 {step} 步：共 {n} 个阶段；用“下一步 ▶”或 → 逐个查看</translation>
    </message>
    <message>
        <source>Applied: the network took this point&apos;s step (step {step}, a batch of one). Training goes on from here.</source>
        <translation>已应用：网络按这个点走了一步（第 {step} 步，批大小为 1）。训练将从这里继续。</translation>
    </message>
    <message>
        <source>There is no training to apply the step to.</source>
        <translation>没有可以应用这一步的训练。</translation>
    </message>
    <message>
        <source>Discarded: the network is as it was.</source>
        <translation>已丢弃：网络保持原样。</translation>
    </message>
    <message>
        <source>Pick a point (&lt;b&gt;Next point&lt;/b&gt;, &lt;b&gt;Pick on canvas&lt;/b&gt;, or type one) to work out its forward pass, loss, backward pass and update with this network&apos;s numbers.</source>
        <translation>选一个点（&lt;b&gt;下一个点&lt;/b&gt;、&lt;b&gt;在画布上选取&lt;/b&gt;，或直接输入），用这个网络的实际数值算出它的前向传播、损失、反向传播和参数更新。</translation>
    </message>
    <message>
        <source>inputs</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>, neuron {n}</source>
        <translation>，神经元 {n}</translation>
    </message>
    <message>
        <source>left → right</source>
        <translation>从左到右</translation>
    </message>
    <message>
        <source>right → left</source>
        <translation>从右到左</translation>
    </message>
    <message>
        <source>stage {n} of {total}</source>
        <translation>第 {n} 阶段，共 {total} 个</translation>
    </message>
    <message>
        <source>output layer ({activation})</source>
        <translation>输出层（{activation}）</translation>
    </message>
    <message>
        <source>hidden layer {n} ({activation})</source>
        <translation>隐藏层 {n}（{activation}）</translation>
    </message>
    <message>
        <source>The network changed: pick a point again.</source>
        <translation>网络已改变：请重新选一个点。</translation>
    </message>
</context>
<context>
    <name>BoundaryView</name>
    <message>
        <source>Paint points (B): click or drag; right-drag erases</source>
        <translation>画点（B）：单击或拖动；右键拖动擦除</translation>
    </message>
    <message>
        <source>Eraser (E): click or drag over points to remove them</source>
        <translation>橡皮擦（E）：单击或拖过数据点即可删除</translation>
    </message>
    <message>
        <source>Move points (M): drag a point (or Shift+drag with any tool)</source>
        <translation>移动点（M）：拖动一个点（任何工具下也可按住 Shift 拖动）</translation>
    </message>
    <message>
        <source>Class:</source>
        <translation>类别：</translation>
    </message>
    <message>
        <source>Paint class {n} ({colour}); key {n}</source>
        <translation>画第 {n} 类（{colour}）；快捷键 {n}</translation>
    </message>
    <message>
        <source>Target value:</source>
        <translation>目标值：</translation>
    </message>
    <message>
        <source>The value a click gives a new point (orange negative, blue positive)</source>
        <translation>单击新增的点所取的值（橙色为负，蓝色为正）</translation>
    </message>
    <message>
        <source>Click to add (x, y) points</source>
        <translation>单击添加 (x, y) 点</translation>
    </message>
    <message>
        <source>●  train    ○  test</source>
        <translation>●  训练    ○  测试</translation>
    </message>
    <message>
        <source>Training points are filled, test points are rings</source>
        <translation>训练点为实心，测试点为空心圆环</translation>
    </message>
    <message>
        <source>y = {w}·x {sign} {b}</source>
        <translation>y = {w}·x {sign} {b}</translation>
    </message>
    <message>
        <source>{name}: its output over the plane</source>
        <translation>{name}：它在整个平面上的输出</translation>
    </message>
</context>
<context>
    <name>ConfusionView</name>
    <message>
        <source>The confusion matrix is for classification.

These data are {what}: the network predicts a number, not a class, so there is nothing to count. Pick a classification preset (circle, xor, spiral, blobs...) to see it.</source>
        <translation>混淆矩阵用于分类问题。

当前数据是{what}：网络预测的是一个数值而不是类别，所以没有可统计的内容。请选择一个分类预设（圆形、异或、螺旋、团簇……）来查看。</translation>
    </message>
    <message>
        <source>a 1-D curve</source>
        <translation>一维曲线</translation>
    </message>
    <message>
        <source>regression data</source>
        <translation>回归数据</translation>
    </message>
    <message>
        <source>true ↓   predicted →</source>
        <translation>真实 ↓   预测 →</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>Points of class {true} the network calls class {predicted}</source>
        <translation>真实为第 {true} 类、被网络判为第 {predicted} 类的点</translation>
    </message>
    <message>
        <source> (correct)</source>
        <translation>（正确）</translation>
    </message>
    <message>
        <source>Share of class {n}&apos;s points classified correctly</source>
        <translation>第 {n} 类的点中被正确分类的比例</translation>
    </message>
    <message>
        <source>class {n}</source>
        <translation>类别 {n}</translation>
    </message>
    <message>
        <source>class {n} ({colour})</source>
        <translation>第 {n} 类（{colour}）</translation>
    </message>
    <message>
        <source>Accuracy {accuracy}  ({correct:,} of {total:,} {split} images, a sample of the {all:,})</source>
        <translation>准确率 {accuracy}（{split}图像 {total:,} 张中对了 {correct:,} 张，抽样自全部 {all:,} 张）</translation>
    </message>
    <message>
        <source>Accuracy {accuracy}  ({correct:,} of {total:,} {split} points, a sample of the {all:,})</source>
        <translation>准确率 {accuracy}（{split}点 {total:,} 个中对了 {correct:,} 个，抽样自全部 {all:,} 个）</translation>
    </message>
    <message>
        <source>Accuracy {accuracy}  ({correct:,} of {total:,} {split} images)</source>
        <translation>准确率 {accuracy}（{split}图像 {total:,} 张中对了 {correct:,} 张）</translation>
    </message>
    <message>
        <source>Accuracy {accuracy}  ({correct:,} of {total:,} {split} points)</source>
        <translation>准确率 {accuracy}（{split}点 {total:,} 个中对了 {correct:,} 个）</translation>
    </message>
    <message>
        <source>test</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>training</source>
        <translation>训练</translation>
    </message>
</context>
<context>
    <name>DataPanel</name>
    <message>
        <source>Classification</source>
        <translation>分类</translation>
    </message>
    <message>
        <source>Regression</source>
        <translation>回归</translation>
    </message>
    <message>
        <source>1-D curve</source>
        <translation>一维曲线</translation>
    </message>
    <message>
        <source>A ready-made dataset; paint on the canvas to change it</source>
        <translation>现成的数据集；在画布上画点即可修改</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>Textbook examples</source>
        <translation>教材例题</translation>
    </message>
    <message>
        <source>Number of classes (2 to {most}) for spiral, rings, checkerboard and blobs</source>
        <translation>类别数（2 到 {most}），用于螺旋、圆环、棋盘和团簇</translation>
    </message>
    <message>
        <source>Noise added to the points, 0 to 100 %</source>
        <translation>给数据点加的噪声，0 到 100 %</translation>
    </message>
    <message>
        <source>preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <source>How many points to generate (“preset”: the preset&apos;s own number)</source>
        <translation>生成多少个点（“预设”：使用预设自带的数量）</translation>
    </message>
    <message>
        <source>Share of points held out as test data (0 to 90 %)</source>
        <translation>留作测试数据的点所占比例（0 到 90 %）</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>New random points from the same preset (Ctrl+G)</source>
        <translation>用同一预设重新随机生成数据点（Ctrl+G）</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Remove every point, then paint your own (Ctrl+K)</source>
        <translation>删除所有点，然后自己画（Ctrl+K）</translation>
    </message>
    <message>
        <source>Show test data</source>
        <translation>显示测试数据</translation>
    </message>
    <message>
        <source>Draw the held-out test points as rings (T)</source>
        <translation>把留出的测试点画成圆环（T）</translation>
    </message>
    <message>
        <source>Discretise output</source>
        <translation>离散化输出</translation>
    </message>
    <message>
        <source>Show only the predicted class (or rounded value), no shading (D)</source>
        <translation>只显示预测的类别（或取整后的值），不画渐变（D）</translation>
    </message>
    <message>
        <source>Image data: the classes and the images come from the data; draw on the pad.</source>
        <translation>图像数据：类别和图像都来自数据本身；请在手写板上书写。</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>类别数</translation>
    </message>
    <message>
        <source>Noise</source>
        <translation>噪声</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>点数</translation>
    </message>
    <message>
        <source>Test data</source>
        <translation>测试数据</translation>
    </message>
    <message>
        <source>{name} (from a file)</source>
        <translation>{name}（来自文件）</translation>
    </message>
    <message>
        <source>{n:,} images of {h}×{w} pixels ({train:,} train, {test:,} test), {k} classes</source>
        <translation>{n:,} 张 {h}×{w} 像素的图像（训练 {train:,}，测试 {test:,}），{k} 个类别</translation>
    </message>
    <message>
        <source>{n} classes</source>
        <translation>{n} 类</translation>
    </message>
    <message>
        <source>regression</source>
        <translation>回归</translation>
    </message>
    <message>
        <source>{n} points ({train} train, {test} test), {kind}</source>
        <translation>{n} 个点（训练 {train}，测试 {test}），{kind}</translation>
    </message>
</context>
<context>
    <name>DistributionsView</name>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Gradients (last batch)</source>
        <translation>梯度（最近一批）</translation>
    </message>
    <message>
        <source>gradient</source>
        <translation>梯度</translation>
    </message>
    <message>
        <source>Activations</source>
        <translation>激活值</translation>
    </message>
    <message>
        <source>activation</source>
        <translation>激活值</translation>
    </message>
    <message>
        <source>Which numbers the percentile bands show</source>
        <translation>百分位带显示哪一组数值</translation>
    </message>
    <message>
        <source>Bands of</source>
        <translation>分布带：</translation>
    </message>
    <message>
        <source>step (mini-batches)</source>
        <translation>步数（小批量）</translation>
    </message>
    <message>
        <source>gradient norm (log)</source>
        <translation>梯度范数（对数）</translation>
    </message>
    <message>
        <source>Gradient norm per layer</source>
        <translation>各层梯度范数</translation>
    </message>
    <message>
        <source>layer {n}</source>
        <translation>第 {n} 层</translation>
    </message>
    <message>
        <source>Layer {n}: {inputs} -&gt; {outputs}</source>
        <translation>第 {n} 层：{inputs} -&gt; {outputs}</translation>
    </message>
    <message>
        <source>bands: min–max, 7–93, 16–84, 31–69 percentiles; line: median</source>
        <translation>色带：最小–最大、7–93、16–84、31–69 百分位；线：中位数</translation>
    </message>
</context>
<context>
    <name>GalleryView</name>
    <message>
        <source>Load into pad</source>
        <translation>载入画板</translation>
    </message>
    <message>
        <source>Put this image on the drawing pad to change it</source>
        <translation>把这张图像放到手写板上，可以再修改</translation>
    </message>
    <message>
        <source>The test images appear here once the network runs.</source>
        <translation>网络运行后，测试集图像会显示在这里。</translation>
    </message>
    <message>
        <source>✗ {predicted} · true {true}</source>
        <translation>✗ {predicted} · 实为 {true}</translation>
    </message>
    <message>
        <source>Wrong: the network says {predicted} ({p:.0%}); it is a {true}</source>
        <translation>错误：网络判为 {predicted}（{p:.0%}），实际是 {true}</translation>
    </message>
    <message>
        <source>{predicted} · {p:.0%}</source>
        <translation>{predicted} · {p:.0%}</translation>
    </message>
    <message>
        <source>Right: the network says {predicted} ({p:.0%})</source>
        <translation>正确：网络判为 {predicted}（{p:.0%}）</translation>
    </message>
    <message>
        <source>test</source>
        <translation>测试集</translation>
    </message>
    <message>
        <source>training</source>
        <translation>训练集</translation>
    </message>
    <message>
        <source>{wrong:,} of {total:,} {split} images misclassified (marked ✗, shown first), then the least sure. Click one for its probabilities.</source>
        <translation>{split}的 {total:,} 张图像中有 {wrong:,} 张被误分类（标 ✗，排在最前），其后是网络最没把握的。点击一张查看其概率。</translation>
    </message>
    <message>
        <source>Click an image</source>
        <translation>点击一张图像</translation>
    </message>
    <message>
        <source>A {true}, read as {predicted} ({p:.0%})</source>
        <translation>实为 {true}，判为 {predicted}（{p:.0%}）</translation>
    </message>
    <message>
        <source>✗ A {true}, read as {predicted} ({p:.0%})</source>
        <translation>✗ 实为 {true}，判为 {predicted}（{p:.0%}）</translation>
    </message>
</context>
<context>
    <name>HiddenView</name>
    <message>
        <source>This network has no hidden layer.

Add a hidden layer (Network panel, or Ctrl+L) to see how it moves the data around before the output layer draws its line.</source>
        <translation>这个网络没有隐藏层。

添加一个隐藏层（在“网络”面板，或按 Ctrl+L），看看它在输出层画出分界线之前如何挪动数据。</translation>
    </message>
    <message>
        <source>Layer {index} ({activation}, {width})</source>
        <translation>第 {index} 层（{activation}，{width}）</translation>
    </message>
    <message>
        <source>Which hidden layer&apos;s space to show</source>
        <translation>显示哪个隐藏层的空间</translation>
    </message>
    <message>
        <source>The neuron whose output is the horizontal axis</source>
        <translation>以其输出作为横轴的神经元</translation>
    </message>
    <message>
        <source>The neuron whose output is the vertical axis</source>
        <translation>以其输出作为纵轴的神经元</translation>
    </message>
    <message>
        <source>Layer:</source>
        <translation>层：</translation>
    </message>
    <message>
        <source>Neuron →</source>
        <translation>神经元 →</translation>
    </message>
    <message>
        <source>Each dot is a data point placed by what the two neurons output; the mesh is the input plane&apos;s grid, bent by the network.</source>
        <translation>每个点是一个数据点，位置由这两个神经元的输出决定；网格是输入平面的网格，被网络弯曲后的样子。</translation>
    </message>
    <message>
        <source>neuron output</source>
        <translation>神经元输出</translation>
    </message>
    <message>
        <source>neuron {n} of layer {layer}</source>
        <translation>第 {layer} 层第 {n} 个神经元</translation>
    </message>
</context>
<context>
    <name>ImageExport</name>
    <message>
        <source>PNG image (*.png);;SVG drawing (*.svg)</source>
        <translation>PNG 图像 (*.png);;SVG 矢量图 (*.svg)</translation>
    </message>
    <message>
        <source>Export image</source>
        <translation>导出图像</translation>
    </message>
    <message>
        <source>saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <source>copied the image to the clipboard</source>
        <translation>图像已复制到剪贴板</translation>
    </message>
    <message>
        <source>nothing to animate yet: train for a while first</source>
        <translation>还没有可做成动画的内容：请先训练一会儿</translation>
    </message>
    <message>
        <source>Export training GIF</source>
        <translation>导出训练过程 GIF</translation>
    </message>
    <message>
        <source>GIF (*.gif)</source>
        <translation>GIF 动画 (*.gif)</translation>
    </message>
    <message>
        <source>Training GIF</source>
        <translation>训练过程 GIF</translation>
    </message>
    <message>
        <source>Frames:</source>
        <translation>帧数：</translation>
    </message>
    <message>
        <source>wrote {n} frames to {path}</source>
        <translation>已将 {n} 帧写入 {path}</translation>
    </message>
    <message>
        <source>Writing the training GIF…</source>
        <translation>正在写入训练过程 GIF…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ImageViews</name>
    <message>
        <source>This view is for image data (handwritten digits).

The data now are 2-D points. Load image data, the built-in digits or a folder of MNIST files, to use it.</source>
        <translation>此视图用于图像数据（手写数字）。

当前数据是二维点。请载入图像数据（内置的手写数字，或一个 MNIST 文件夹）后使用。</translation>
    </message>
    <message>
        <source>Probability of each class</source>
        <translation>每个类别的概率</translation>
    </message>
    <message>
        <source>class</source>
        <translation>类别</translation>
    </message>
</context>
<context>
    <name>LandscapeView</name>
    <message>
        <source>random directions (filter-normalised)</source>
        <translation>随机方向（按滤波器归一化）</translation>
    </message>
    <message>
        <source>principal directions of the path</source>
        <translation>训练路径的主方向</translation>
    </message>
    <message>
        <source>Recompute here</source>
        <translation>在此处重新计算</translation>
    </message>
    <message>
        <source>A new slice through the current weights</source>
        <translation>经过当前权重重新切一片</translation>
    </message>
    <message>
        <source>{error}: using random directions</source>
        <translation>{error}：改用随机方向</translation>
    </message>
    <message>
        <source>computing the landscape…</source>
        <translation>正在计算损失曲面…</translation>
    </message>
    <message>
        <source>computing the landscape… {rows}/{total} rows</source>
        <translation>正在计算损失曲面… {rows}/{total} 行</translation>
    </message>
    <message>
        <source>exact (w, b) surface</source>
        <translation>精确的 (w, b) 曲面</translation>
    </message>
    <message>
        <source>2-D slice</source>
        <translation>二维切片</translation>
    </message>
    <message>
        <source>, ★ least squares</source>
        <translation>，★ 为最小二乘解</translation>
    </message>
    <message>
        <source>{kind}: training loss {low} to {high}, colours on a log scale; path of the run in orange{star}</source>
        <translation>{kind}：训练损失 {low} 到 {high}，颜色按对数刻度；橙色为训练路径{star}</translation>
    </message>
</context>
<context>
    <name>LessonController</name>
    <message>
        <source>Lesson</source>
        <translation>课程</translation>
    </message>
</context>
<context>
    <name>LessonPanel</name>
    <message>
        <source>Step {0} of {1}</source>
        <translation>第 {0} 步，共 {1} 步</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>上一步</translation>
    </message>
    <message>
        <source>Restart step</source>
        <translation>重做本步</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>✓ Done: go on with Next.</source>
        <translation>✓ 完成：点“下一步”继续。</translation>
    </message>
    <message>
        <source>Last step.</source>
        <translation>最后一步。</translation>
    </message>
    <message>
        <source>Next step after pressing Play.</source>
        <translation>按下“播放”后进入下一步。</translation>
    </message>
    <message>
        <source>Next step after changing the setting.</source>
        <translation>修改该设置后进入下一步。</translation>
    </message>
    <message>
        <source>Next step once the test accuracy reaches {0:.0%}.</source>
        <translation>测试准确率达到 {0:.0%} 后进入下一步。</translation>
    </message>
    <message>
        <source>Next step at epoch {0:g}.</source>
        <translation>到第 {0:g} 轮时进入下一步。</translation>
    </message>
</context>
<context>
    <name>LossFunctionsView</name>
    <message>
        <source>MSE (1 − p)²</source>
        <translation>均方误差 (1 − p)²</translation>
    </message>
    <message>
        <source>BCE −log p</source>
        <translation>二元交叉熵 −log p</translation>
    </message>
    <message>
        <source>cross-entropy −log p</source>
        <translation>交叉熵 −log p</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>loss of the point</source>
        <translation>该点的损失</translation>
    </message>
    <message>
        <source>class {n}</source>
        <translation>第 {n} 类</translation>
    </message>
    <message>
        <source>each point&apos;s value</source>
        <translation>每个点自己的值</translation>
    </message>
    <message>
        <source>MSE (a − y)²</source>
        <translation>均方误差 (a − y)²</translation>
    </message>
    <message>
        <source>p = probability given to class {n}</source>
        <translation>p = 给第 {n} 类的概率</translation>
    </message>
    <message>
        <source> (the same curve as BCE with two classes)</source>
        <translation>（两类时与二元交叉熵是同一条曲线）</translation>
    </message>
    <message>
        <source>{n} training points of class {k} on the curve of this network&apos;s loss ({used}); cross-entropy dashed{same}</source>
        <translation>第 {k} 类的 {n} 个训练点画在本网络所用损失（{used}）的曲线上；交叉熵为虚线{same}</translation>
    </message>
    <message>
        <source>error a − y</source>
        <translation>误差 a − y</translation>
    </message>
    <message>
        <source>{n} training points at their error; regression trains with MSE (BCE and cross-entropy are for classes)</source>
        <translation>{n} 个训练点画在各自的误差处；回归用均方误差训练（二元交叉熵和交叉熵用于分类）</translation>
    </message>
</context>
<context>
    <name>LossView</name>
    <message>
        <source>train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>test</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>对数坐标</translation>
    </message>
    <message>
        <source>Loss on a logarithmic axis (L)</source>
        <translation>损失使用对数坐标轴（L）</translation>
    </message>
    <message>
        <source>Exponential smoothing of the curves (0: raw)</source>
        <translation>曲线的指数平滑（0：原始数据）</translation>
    </message>
    <message>
        <source>Follow</source>
        <translation>跟随</translation>
    </message>
    <message>
        <source>Keep the whole run in view (off after you zoom or pan)</source>
        <translation>始终显示整个训练过程（缩放或平移后关闭）</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>按轮</translation>
    </message>
    <message>
        <source>Read the curves in epochs (passes over the training points), not steps</source>
        <translation>横轴按轮（遍历一次全部训练点）而不是按步显示</translation>
    </message>
    <message>
        <source>Smoothing</source>
        <translation>平滑</translation>
    </message>
    <message>
        <source>epoch (passes over the training points)</source>
        <translation>轮（遍历一次全部训练点）</translation>
    </message>
    <message>
        <source>step (mini-batches)</source>
        <translation>步数（小批量）</translation>
    </message>
    <message>
        <source>step {step}  ·  epoch {epoch}
train loss {train}  ·  test loss {test}</source>
        <translation>第 {step} 步  ·  第 {epoch} 轮
训练损失 {train}  ·  测试损失 {test}</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>loss (log)</source>
        <translation>损失（对数）</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>a file is being written: choose the language again after it</source>
        <translation>正在写入文件：请在写完后再选择语言</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>时间轴</translation>
    </message>
    <message>
        <source>Whole window</source>
        <translation>整个窗口</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Toolbar</source>
        <translation>工具栏</translation>
    </message>
    <message>
        <source>Presentation toolbar</source>
        <translation>演示工具栏</translation>
    </message>
    <message>
        <source>Image data has no points to draw or edit</source>
        <translation>图像数据没有可绘制或编辑的点</translation>
    </message>
    <message>
        <source>unknown panel {names}; panels are: {known}</source>
        <translation>未知的面板 {names}；可用的面板有：{known}</translation>
    </message>
    <message>
        <source>step {step:,} on screen is from the timeline: press Resume from here (or drag to the present) before setting a weight</source>
        <translation>屏幕上的第 {step:,} 步来自时间轴：请先点“从这里继续”（或拖回到当前），再设置权重</translation>
    </message>
    <message>
        <source>re-initialised with seed {seed}</source>
        <translation>已用种子 {seed} 重新初始化</translation>
    </message>
    <message>
        <source>reset to the initial weights (same seed)</source>
        <translation>已重置为初始权重（相同种子）</translation>
    </message>
    <message>
        <source>re-initialised with new random weights (seed {seed})</source>
        <translation>已用新的随机权重重新初始化（种子 {seed}）</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <source>Training engine</source>
        <translation>训练引擎</translation>
    </message>
    <message>
        <source>Paused: early stopping at epoch {epoch}</source>
        <translation>已暂停：第 {epoch} 轮触发早停</translation>
    </message>
    <message>
        <source>{reason}.
To train on, raise the patience (Training ▸ Early stopping) or turn it off.</source>
        <translation>{reason}。
要继续训练，请调大耐心值（训练 ▸ 早停）或将其关闭。</translation>
    </message>
    <message>
        <source>Training stopped</source>
        <translation>训练已停止</translation>
    </message>
    <message>
        <source>Lower learning rate to {lr} and continue</source>
        <translation>把学习率降到 {lr} 并继续</translation>
    </message>
    <message>
        <source>Something went wrong in training</source>
        <translation>训练中出了问题</translation>
    </message>
    <message>
        <source>{message}

Training is paused; the app keeps running.</source>
        <translation>{message}

训练已暂停；程序仍在运行。</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>About dlviz</source>
        <translation>关于 dlviz</translation>
    </message>
    <message>
        <source>A desktop neural-network playground: draw data, stack layers, press Play and watch a Numba-compiled network learn.</source>
        <translation>桌面版神经网络演练场：画出数据，堆叠网络层，按下“播放”，观看用 Numba 编译的网络如何学习。</translation>
    </message>
</context>
<context>
    <name>MatricesView</name>
    <message>
        <source>Hover a cell to read its value</source>
        <translation>把鼠标停在格子上可读出数值</translation>
    </message>
    <message>
        <source>Colour scale of every heatmap: negative, zero, positive</source>
        <translation>所有热力图的色标：负、零、正</translation>
    </message>
    <message>
        <source>from neuron ({layer})</source>
        <translation>来自神经元（{layer}）</translation>
    </message>
    <message>
        <source>to neuron ({layer})</source>
        <translation>去往神经元（{layer}）</translation>
    </message>
    <message>
        <source>inputs</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>outputs</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>hidden {n}</source>
        <translation>隐藏层 {n}</translation>
    </message>
    <message>
        <source>Layer {n}: {inputs} -&gt; {outputs}</source>
        <translation>第 {n} 层：{inputs} -&gt; {outputs}</translation>
    </message>
    <message>
        <source>weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>gradient, last batch</source>
        <translation>梯度（最近一批）</translation>
    </message>
    <message>
        <source>Layer {n} weight, neuron {source} -&gt; {target}: {value}</source>
        <translation>第 {n} 层权重，神经元 {source} -&gt; {target}：{value}</translation>
    </message>
    <message>
        <source>Layer {n} gradient, neuron {source} -&gt; {target}: {value}</source>
        <translation>第 {n} 层梯度，神经元 {source} -&gt; {target}：{value}</translation>
    </message>
</context>
<context>
    <name>NetworkInspector</name>
    <message>
        <source>input {feature}</source>
        <translation>输入 {feature}</translation>
    </message>
    <message>
        <source>output {n}</source>
        <translation>输出 {n}</translation>
    </message>
    <message>
        <source>layer {layer} neuron {n}</source>
        <translation>第 {layer} 层神经元 {n}</translation>
    </message>
    <message>
        <source>Click a neuron or an edge to inspect it.</source>
        <translation>单击一个神经元或一条连线来查看详情。</translation>
    </message>
    <message>
        <source>{what} of the point whose value is shown; hover the data canvas to set it</source>
        <translation>所显示数值对应的点的 {what}；在数据画布上移动鼠标即可设置</translation>
    </message>
    <message>
        <source>Point x₁</source>
        <translation>点 x₁</translation>
    </message>
    <message>
        <source>from</source>
        <translation>来自</translation>
    </message>
    <message>
        <source>weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>gradient</source>
        <translation>梯度</translation>
    </message>
    <message>
        <source>Set bias</source>
        <translation>设置偏置</translation>
    </message>
    <message>
        <source>Bias</source>
        <translation>偏置</translation>
    </message>
    <message>
        <source>Set weight</source>
        <translation>设置权重</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>weight {w}
dL/dw {g} (last batch)</source>
        <translation>权重 {w}
dL/dw {g}（最近一批）</translation>
    </message>
    <message>
        <source>Input feature: what the first layer reads.</source>
        <translation>输入特征：第一层读取的数据。</translation>
    </message>
    <message>
        <source>output</source>
        <translation>输出层</translation>
    </message>
    <message>
        <source>hidden layer {n}</source>
        <translation>隐藏层 {n}</translation>
    </message>
    <message>
        <source>{kind}, activation {activation}
bias {bias}   (dL/db {grad})</source>
        <translation>{kind}，激活函数 {activation}
偏置 {bias}   （dL/db {grad}）</translation>
    </message>
    <message>
        <source>feature value {a}</source>
        <translation>特征值 {a}</translation>
    </message>
    <message>
        <source>output {a}   (weighted sum z {z})</source>
        <translation>输出 {a}   （加权和 z {z}）</translation>
    </message>
</context>
<context>
    <name>NetworkPanel</name>
    <message>
        <source>Sigmoid + binary CE</source>
        <translation>Sigmoid + 二元交叉熵</translation>
    </message>
    <message>
        <source>Softmax + CE</source>
        <translation>Softmax + 交叉熵</translation>
    </message>
    <message>
        <source>Squared error</source>
        <translation>均方误差</translation>
    </message>
    <message>
        <source>Sigmoid + squared error</source>
        <translation>Sigmoid + 均方误差</translation>
    </message>
    <message>
        <source>Sigmoid output, binary cross-entropy loss (two classes)</source>
        <translation>Sigmoid 输出，二元交叉熵损失（两类）</translation>
    </message>
    <message>
        <source>Softmax output, cross-entropy loss (one output per class)</source>
        <translation>Softmax 输出，交叉熵损失（每类一个输出）</translation>
    </message>
    <message>
        <source>Mean squared error on the output</source>
        <translation>输出上的均方误差</translation>
    </message>
    <message>
        <source>A sigmoid output (values in 0..1) and the mean squared error, as in the textbook&apos;s 2-4-1 example</source>
        <translation>Sigmoid 输出（取值 0..1）加均方误差，与教材中 2-4-1 的例子相同</translation>
    </message>
    <message>
        <source>Xavier / Glorot</source>
        <translation>Xavier / Glorot</translation>
    </message>
    <message>
        <source>He</source>
        <translation>He</translation>
    </message>
    <message>
        <source>Uniform ±0.5</source>
        <translation>均匀分布 ±0.5</translation>
    </message>
    <message>
        <source>Neurons in this layer (1 to {most})</source>
        <translation>这一层的神经元数（1 到 {most}）</translation>
    </message>
    <message>
        <source>Activation function of this layer</source>
        <translation>这一层的激活函数</translation>
    </message>
    <message>
        <source>Move this layer towards the input</source>
        <translation>把这一层往输入方向移</translation>
    </message>
    <message>
        <source>Move this layer towards the output</source>
        <translation>把这一层往输出方向移</translation>
    </message>
    <message>
        <source>Remove this layer</source>
        <translation>删除这一层</translation>
    </message>
    <message>
        <source>Feed {feature} to the first layer</source>
        <translation>把 {feature} 输入第一层</translation>
    </message>
    <message>
        <source>Add layer</source>
        <translation>添加层</translation>
    </message>
    <message>
        <source>Add a hidden layer (up to {most}); Ctrl+L</source>
        <translation>添加一个隐藏层（最多 {most} 个）；Ctrl+L</translation>
    </message>
    <message>
        <source>No hidden layers: a linear model</source>
        <translation>没有隐藏层：线性模型</translation>
    </message>
    <message>
        <source>Output layer and loss; the choices fit the data</source>
        <translation>输出层和损失函数；可选项随数据而定</translation>
    </message>
    <message>
        <source>How new weights are drawn (used at the next reset or rebuild)</source>
        <translation>新权重的初始化方式（在下次重置或重建时生效）</translation>
    </message>
    <message>
        <source>&lt;b&gt;Inputs&lt;/b&gt;</source>
        <translation>&lt;b&gt;输入&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Hidden layers&lt;/b&gt; (neurons, activation)</source>
        <translation>&lt;b&gt;隐藏层&lt;/b&gt;（神经元数，激活函数）</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Initialiser</source>
        <translation>初始化</translation>
    </message>
    <message>
        <source>{network}  ·  {n:,} parameters</source>
        <translation>{network}  ·  {n:,} 个参数</translation>
    </message>
    <message>
        <source>{n} pixels ({h}×{w} images): one input per pixel</source>
        <translation>{n} 个像素（{h}×{w} 图像）：每个像素一个输入</translation>
    </message>
</context>
<context>
    <name>NetworkView</name>
    <message>
        <source>Inputs</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Layer {n}</source>
        <translation>第 {n} 层</translation>
    </message>
    <message>
        <source>Gradients</source>
        <translation>梯度</translation>
    </message>
    <message>
        <source>Show |dL/dw| of the last mini-batch on every edge (one scale for the whole network) flowing back from the output to the inputs</source>
        <translation>在每条连线上显示最近一个小批量的 |dL/dw|（全网统一刻度），从输出反向流回输入</translation>
    </message>
    <message>
        <source>Hover a neuron</source>
        <translation>悬停在神经元上</translation>
    </message>
    <message>
        <source>Hover a neuron or an edge; click to inspect it</source>
        <translation>悬停或单击神经元、连线查看详情</translation>
    </message>
    <message>
        <source>{line} |dL/dw| of the last batch (wider, darker = larger; one scale for the net)</source>
        <translation>{line} 最近一批的 |dL/dw|（越粗越深 = 越大；全网统一刻度）</translation>
    </message>
    <message>
        <source>{plus} positive  {minus} negative weight (width = |w|)</source>
        <translation>{plus} 正权重 {minus} 负权重（粗细=|w|）</translation>
    </message>
    <message>
        <source>{n} pixels ({h}×{w})</source>
        <translation>{n} 个像素（{h}×{w}）</translation>
    </message>
    <message>
        <source>{shown} of {n} (strongest)</source>
        <translation>{n} 个中最强的 {shown} 个</translation>
    </message>
    <message>
        <source>+{n} more</source>
        <translation>另有 {n} 个</translation>
    </message>
    <message>
        <source>{name}: not fed in (click to feed it to the network)</source>
        <translation>{name}：未输入（单击将其输入网络）</translation>
    </message>
    <message>
        <source>{source} → {target}:  weight {w},  dL/dw {g}</source>
        <translation>{source} → {target}：权重 {w}，dL/dw {g}</translation>
    </message>
    <message>
        <source>{name}: input feature (click to take it out)</source>
        <translation>{name}：输入特征（单击将其移除）</translation>
    </message>
    <message>
        <source>{name} ({activation}): bias {bias}</source>
        <translation>{name}（{activation}）：偏置 {bias}</translation>
    </message>
    <message>
        <source>,  output {low} … {high} over the plane</source>
        <translation>，在整个平面上输出 {low} … {high}</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>could not {what}: {reason}</source>
        <translation>无法{what}：{reason}</translation>
    </message>
    <message>
        <source>dlviz</source>
        <translation>dlviz</translation>
    </message>
</context>
<context>
    <name>PadView</name>
    <message>
        <source>Draw</source>
        <translation>画</translation>
    </message>
    <message>
        <source>Erase</source>
        <translation>擦除</translation>
    </message>
    <message>
        <source>The left button draws</source>
        <translation>左键画</translation>
    </message>
    <message>
        <source>The left button erases (the right button always does)</source>
        <translation>左键擦除（右键总是擦除）</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Empty the pad</source>
        <translation>清空手写板</translation>
    </message>
    <message>
        <source>Draw a digit: left button draws, right button erases</source>
        <translation>写一个数字：左键画，右键擦除</translation>
    </message>
    <message>
        <source>No network for images yet: train one to read the pad.</source>
        <translation>还没有用于图像的网络：训练一个网络来识别手写板。</translation>
    </message>
    <message>
        <source>The pad is empty: draw a digit. The bars: the network&apos;s answer to a blank image.</source>
        <translation>手写板是空的：写一个数字。条形图：网络对空白图像的回答。</translation>
    </message>
    <message>
        <source>A test image (true {digit}): draw over it or Clear</source>
        <translation>一张测试集图像（真实类别 {digit}）：可在上面书写，或点“清空”</translation>
    </message>
    <message>
        <source>the network reads {digit} ({p:.0%} sure)</source>
        <translation>网络认为是 {digit}（{p:.0%} 把握）</translation>
    </message>
</context>
<context>
    <name>ProjectActions</name>
    <message>
        <source>dlviz projects (*.dlviz)</source>
        <translation>dlviz 项目 (*.dlviz)</translation>
    </message>
    <message>
        <source>Projects and data (*.dlviz *.csv);;dlviz projects (*.dlviz);;CSV data (*.csv)</source>
        <translation>项目和数据 (*.dlviz *.csv);;dlviz 项目 (*.dlviz);;CSV 数据 (*.csv)</translation>
    </message>
    <message>
        <source>Weights ({patterns})</source>
        <translation>权重 ({patterns})</translation>
    </message>
    <message>
        <source>save the project</source>
        <translation>保存项目</translation>
    </message>
    <message>
        <source>export the weights</source>
        <translation>导出权重</translation>
    </message>
    <message>
        <source>import the weights</source>
        <translation>导入权重</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <source>Save the changes to {name}?</source>
        <translation>要保存对 {name} 的更改吗？</translation>
    </message>
    <message>
        <source>{what} as soon as the training engine has finished compiling…</source>
        <translation>训练引擎编译完成后立即{what}…</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>opened {path}</source>
        <translation>已打开 {path}</translation>
    </message>
    <message>
        <source>the project&apos;s ui.panels is not a list of names</source>
        <translation>项目中的 ui.panels 不是名称列表</translation>
    </message>
    <message>
        <source>the project&apos;s panels: {error}</source>
        <translation>项目的面板设置：{error}</translation>
    </message>
    <message>
        <source>Save project</source>
        <translation>保存项目</translation>
    </message>
    <message>
        <source>saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <source>saving {name}</source>
        <translation>保存 {name}</translation>
    </message>
    <message>
        <source>Open image data (a folder)</source>
        <translation>打开图像数据（文件夹）</translation>
    </message>
    <message>
        <source>Reading the images in {folder}…</source>
        <translation>正在读取 {folder} 中的图像…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Open image data</source>
        <translation>打开图像数据</translation>
    </message>
    <message>
        <source>opened {n:,} images of {h}×{w} pixels from {path}</source>
        <translation>已从 {path} 打开 {n:,} 张 {h}×{w} 像素的图像</translation>
    </message>
    <message>
        <source>Import data</source>
        <translation>导入数据</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All (*)</source>
        <translation>CSV 文件 (*.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Export data</source>
        <translation>导出数据</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>wrote {n} points to {path}</source>
        <translation>已将 {n} 个点写入 {path}</translation>
    </message>
    <message>
        <source>Export weights</source>
        <translation>导出权重</translation>
    </message>
    <message>
        <source>exported {format} to {path}</source>
        <translation>已将 {format} 导出到 {path}</translation>
    </message>
    <message>
        <source>exporting the weights</source>
        <translation>导出权重</translation>
    </message>
    <message>
        <source>Import weights</source>
        <translation>导入权重</translation>
    </message>
    <message>
        <source>loaded weights from {path}; the optimizer starts afresh</source>
        <translation>已从 {path} 载入权重；优化器状态从头开始</translation>
    </message>
    <message>
        <source>importing the weights</source>
        <translation>导入权重</translation>
    </message>
</context>
<context>
    <name>RaceView</name>
    <message>
        <source>learning rate η of this racer</source>
        <translation>这位选手的学习率 η</translation>
    </message>
    <message>
        <source>Start race</source>
        <translation>开始赛跑</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Check two to eight optimizers, set their rates and press Start race: they start from the same weights and see the same batches.</source>
        <translation>勾选二到八个优化器，设好学习率后按“开始赛跑”：它们从相同的权重出发，看到相同的批次。</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>Check at least two optimizers to race.</source>
        <translation>请至少勾选两个优化器来赛跑。</translation>
    </message>
    <message>
        <source>racing…</source>
        <translation>赛跑中…</translation>
    </message>
    <message>
        <source>epoch {epoch} of {total}</source>
        <translation>第 {epoch} 轮，共 {total} 轮</translation>
    </message>
    <message>
        <source>, done</source>
        <translation>，结束</translation>
    </message>
    <message>
        <source>; diverged: </source>
        <translation>；发散：</translation>
    </message>
    <message>
        <source> · same start, same batches</source>
        <translation> · 相同起点，相同批次</translation>
    </message>
    <message>
        <source>training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>test accuracy</source>
        <translation>测试准确率</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>轮</translation>
    </message>
    <message>
        <source> (diverged at step {step})</source>
        <translation>（在第 {step} 步发散）</translation>
    </message>
    <message>
        <source>{name} · epoch {epoch}</source>
        <translation>{name} · 第 {epoch} 轮</translation>
    </message>
</context>
<context>
    <name>RecentFiles</name>
    <message>
        <source>{path} no longer exists; removed it from the recent files</source>
        <translation>{path} 已不存在；已从最近文件中移除</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>（暂无）</translation>
    </message>
</context>
<context>
    <name>StatusFields</name>
    <message>
        <source>engine: Numba CPU</source>
        <translation>引擎：Numba CPU</translation>
    </message>
    <message>
        <source>engine: CUDA GPU</source>
        <translation>引擎：CUDA GPU</translation>
    </message>
    <message>
        <source>engine: NumPy reference</source>
        <translation>引擎：NumPy 参考实现</translation>
    </message>
    <message>
        <source>engine: {name}</source>
        <translation>引擎：{name}</translation>
    </message>
    <message>
        <source>Compiling the training engine…</source>
        <translation>正在编译训练引擎…</translation>
    </message>
    <message>
        <source>step {n:,}</source>
        <translation>第 {n:,} 步</translation>
    </message>
    <message>
        <source>epoch {n:,}</source>
        <translation>第 {n:,} 轮</translation>
    </message>
    <message>
        <source>loss –</source>
        <translation>损失 –</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练中</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Compiling the training engine: {what} ({n} of {total})…</source>
        <translation>正在编译训练引擎：{what}（{n}/{total}）…</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Training engine ready in {seconds} s</source>
        <translation>训练引擎已就绪，用时 {seconds} 秒</translation>
    </message>
    <message>
        <source>loss {train} / {test}</source>
        <translation>损失 {train} / {test}</translation>
    </message>
    <message>
        <source>accuracy {train} / {test}</source>
        <translation>准确率 {train} / {test}</translation>
    </message>
    <message>
        <source>{rate:,.0f} samples/s</source>
        <translation>{rate:,.0f} 样本/秒</translation>
    </message>
</context>
<context>
    <name>TimelineBar</name>
    <message>
        <source>step {step:,} of {last:,} · {used} of {cap} MB</source>
        <translation>第 {step:,} 步 / 共 {last:,} 步 · 已用 {used} / {cap} MB</translation>
    </message>
    <message>
        <source>While paused, drag to look back at earlier steps (every view follows)</source>
        <translation>暂停时拖动可回看之前的步骤（所有视图同步）</translation>
    </message>
    <message>
        <source>The step shown, the newest step, and the memory the timeline holds</source>
        <translation>显示的步数、最新步数，以及时间轴占用的内存</translation>
    </message>
    <message>
        <source>Resume from here</source>
        <translation>从这里继续</translation>
    </message>
    <message>
        <source>Go back to the step shown: weights and optimizer as they were then; the later steps are forgotten</source>
        <translation>回到显示的这一步：权重和优化器恢复到当时的状态；之后的步骤将被丢弃</translation>
    </message>
    <message>
        <source>Keep up to</source>
        <translation>最多保留</translation>
    </message>
    <message>
        <source>Memory the timeline may use; the oldest points go first</source>
        <translation>时间轴可用的内存；最早的记录最先删除</translation>
    </message>
</context>
<context>
    <name>TrainingPanel</name>
    <message>
        <source>Constant</source>
        <translation>恒定</translation>
    </message>
    <message>
        <source>Step decay</source>
        <translation>阶梯衰减</translation>
    </message>
    <message>
        <source>Exponential decay</source>
        <translation>指数衰减</translation>
    </message>
    <message>
        <source>Cosine annealing</source>
        <translation>余弦退火</translation>
    </message>
    <message>
        <source>Training speed in epochs (passes over the training points) per second: slow for a room to follow, max for results ([ slower, ] faster)</source>
        <translation>训练速度，单位为每秒轮数（遍历一次全部训练点为一轮）：慢速便于全班跟上，最快用于出结果（[ 减速，] 加速）</translation>
    </message>
    <message>
        <source>Learning rate, 0.00001 to 10 (logarithmic slider)</source>
        <translation>学习率，0.00001 到 10（对数滑块）</translation>
    </message>
    <message>
        <source> steps</source>
        <translation> 步</translation>
    </message>
    <message>
        <source>Step/exponential: steps per decay; cosine: steps to the end</source>
        <translation>阶梯/指数：每次衰减间隔的步数；余弦：到结束的步数</translation>
    </message>
    <message>
        <source>Factor the learning rate is multiplied by per decay</source>
        <translation>每次衰减时学习率乘以的系数</translation>
    </message>
    <message>
        <source>Samples per optimizer step (1 to {most})</source>
        <translation>每个优化步使用的样本数（1 到 {most}）</translation>
    </message>
    <message>
        <source>L1 penalty on the weights (0 to 10)</source>
        <translation>权重的 L1 正则化系数（0 到 10）</translation>
    </message>
    <message>
        <source>L2 penalty on the weights (0 to 10)</source>
        <translation>权重的 L2 正则化系数（0 到 10）</translation>
    </message>
    <message>
        <source>Dropout rate of every hidden layer while training (0 to 0.9)</source>
        <translation>训练时每个隐藏层的 Dropout 比率（0 到 0.9）</translation>
    </message>
    <message>
        <source> epochs</source>
        <translation> 轮</translation>
    </message>
    <message>
        <source>Early stopping: pause when the test loss has not improved for this many epochs (off: never; needs test points)</source>
        <translation>早停：测试损失连续这么多轮没有改善时暂停（关：从不暂停；需要测试点）</translation>
    </message>
    <message>
        <source>Seed of the initial weights and the shuffling; editing it re-initialises the network</source>
        <translation>初始权重和数据打乱的随机种子；修改它会重新初始化网络</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>Optimizer</source>
        <translation>优化器</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>学习率调度</translation>
    </message>
    <message>
        <source>Decay</source>
        <translation>衰减</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>Dropout</source>
        <translation>Dropout</translation>
    </message>
    <message>
        <source>Early stopping</source>
        <translation>早停</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>max</source>
        <translation>最快</translation>
    </message>
    <message>
        <source>1 epoch/s</source>
        <translation>1 轮/秒</translation>
    </message>
    <message>
        <source>{rate} epochs/s</source>
        <translation>{rate} 轮/秒</translation>
    </message>
</context>
<context>
    <name>TrainingWorker</name>
    <message>
        <source>the training engine did not start, so there is nothing to use</source>
        <translation>训练引擎没有启动，因此无法使用</translation>
    </message>
    <message>
        <source>step {step} is no longer on the timeline (the network was rebuilt or reset since); training stays where it is</source>
        <translation>第 {step} 步已不在时间轴上（之后网络被重建或重置过）；训练保持在当前位置</translation>
    </message>
    <message>
        <source>back at step {step}: the points changed since then, so its epoch starts afresh on the points you see</source>
        <translation>已回到第 {step} 步：此后数据点有变化，所以这一轮在当前看到的点上重新开始</translation>
    </message>
    <message>
        <source>network changed; training goes on with the same weights</source>
        <translation>网络已修改；训练沿用相同的权重继续</translation>
    </message>
    <message>
        <source>network rebuilt with new weights</source>
        <translation>网络已用新权重重建</translation>
    </message>
</context>
<context>
    <name>WeightImagesView</name>
    <message>
        <source>No hidden layer: each class&apos;s {h}×{w} weights from the pixels, {n} images.</source>
        <translation>没有隐藏层：每个类别来自像素的 {h}×{w} 个权重，共 {n} 张图。</translation>
    </message>
    <message>
        <source>Each neuron of hidden layer 1: its {h}×{w} weights from the pixels, {n} images.</source>
        <translation>第 1 隐藏层的每个神经元：来自像素的 {h}×{w} 个权重，共 {n} 张图。</translation>
    </message>
    <message>
        <source>Colour scale ±{limit}: &lt;b style=&apos;color:{neg}&apos;&gt;orange −{limit}&lt;/b&gt; · 0 · &lt;b style=&apos;color:{pos}&apos;&gt;blue +{limit}&lt;/b&gt;</source>
        <translation>颜色范围 ±{limit}：&lt;b style=&apos;color:{neg}&apos;&gt;橙色 −{limit}&lt;/b&gt; · 0 · &lt;b style=&apos;color:{pos}&apos;&gt;蓝色 +{limit}&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Hover or click an image to see which neuron it is</source>
        <translation>鼠标悬停或点击一张图，查看它是哪个神经元</translation>
    </message>
    <message>
        <source>Class {n}: weights from {low:.3g} to {high:.3g}</source>
        <translation>类别 {n}：权重从 {low:.3g} 到 {high:.3g}</translation>
    </message>
    <message>
        <source>Neuron {n} of layer 1: weights from {low:.3g} to {high:.3g}</source>
        <translation>第 1 层神经元 {n}：权重从 {low:.3g} 到 {high:.3g}</translation>
    </message>
</context>
<context>
    <name>actions</name>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>训练(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Automatic (CUDA where faster, else CPU)</source>
        <translation>自动（CUDA 更快时用 CUDA，否则用 CPU）(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;CPU (Numba)</source>
        <translation>CPU（Numba）(&amp;C)</translation>
    </message>
    <message>
        <source>C&amp;UDA (GPU)</source>
        <translation>CUDA（GPU）(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;NumPy reference (slow, readable)</source>
        <translation>NumPy 参考实现（慢，易读）(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;New</source>
        <translation>新建(&amp;N)</translation>
    </message>
    <message>
        <source>Start afresh</source>
        <translation>重新开始</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a project (.dlviz) or data (.csv)</source>
        <translation>打开项目（.dlviz）或数据（.csv）</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Save &amp;as…</source>
        <translation>另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>Save the whole session: data, network, settings, weights, history</source>
        <translation>保存整个会话：数据、网络、设置、权重和历史</translation>
    </message>
    <message>
        <source>Export &amp;weights…</source>
        <translation>导出权重(&amp;W)…</translation>
    </message>
    <message>
        <source>Write the model as .npz, .json, .safetensors, .onnx or Python code</source>
        <translation>把模型写成 .npz、.json、.safetensors、.onnx 或 Python 代码</translation>
    </message>
    <message>
        <source>&amp;Import weights…</source>
        <translation>导入权重(&amp;I)…</translation>
    </message>
    <message>
        <source>Load weights (.npz, .json, .safetensors) into the current network</source>
        <translation>把权重（.npz、.json、.safetensors）载入当前网络</translation>
    </message>
    <message>
        <source>Import &amp;data (CSV)…</source>
        <translation>导入数据（CSV）(&amp;D)…</translation>
    </message>
    <message>
        <source>Load points from a CSV file (x1,x2,label | x1,x2,value | x,y)</source>
        <translation>从 CSV 文件载入数据点（x1,x2,label | x1,x2,value | x,y）</translation>
    </message>
    <message>
        <source>Open &amp;image data…</source>
        <translation>打开图像数据(&amp;I)…</translation>
    </message>
    <message>
        <source>Load images from a folder: MNIST&apos;s IDX files (train-images-idx3-ubyte[.gz]…) or class folders 0/ to 9/ of PNG images</source>
        <translation>从文件夹载入图像：MNIST 的 IDX 文件（train-images-idx3-ubyte[.gz]…），或按类别存放 PNG 图像的文件夹 0/ 到 9/</translation>
    </message>
    <message>
        <source>&amp;Export data (CSV)…</source>
        <translation>导出数据（CSV）(&amp;E)…</translation>
    </message>
    <message>
        <source>Write the points to a CSV file</source>
        <translation>把数据点写入 CSV 文件</translation>
    </message>
    <message>
        <source>Export window &amp;image…</source>
        <translation>导出窗口图像(&amp;I)…</translation>
    </message>
    <message>
        <source>Save a picture of the window (PNG or SVG)</source>
        <translation>保存窗口的图片（PNG 或 SVG）</translation>
    </message>
    <message>
        <source>Export training &amp;GIF…</source>
        <translation>导出训练过程 GIF(&amp;G)…</translation>
    </message>
    <message>
        <source>Animate the decision boundary and loss over the timeline</source>
        <translation>把决策边界和损失沿时间轴做成动画</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Undo point edit</source>
        <translation>撤销点编辑(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo point edit</source>
        <translation>重做点编辑(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Paint points</source>
        <translation>画点(&amp;P)</translation>
    </message>
    <message>
        <source>Paint: click or drag to add points; right-drag erases</source>
        <translation>画点：单击或拖动添加点；右键拖动擦除</translation>
    </message>
    <message>
        <source>Paint</source>
        <translation>画点</translation>
    </message>
    <message>
        <source>&amp;Eraser</source>
        <translation>橡皮擦(&amp;E)</translation>
    </message>
    <message>
        <source>Eraser: click or drag to remove points</source>
        <translation>橡皮擦：单击或拖动删除点</translation>
    </message>
    <message>
        <source>&amp;Move points</source>
        <translation>移动点(&amp;M)</translation>
    </message>
    <message>
        <source>Move: drag a point (Shift+drag works with any tool)</source>
        <translation>移动：拖动一个点（任何工具下都可按住 Shift 拖动）</translation>
    </message>
    <message>
        <source>Move</source>
        <translation>移动</translation>
    </message>
    <message>
        <source>Class &amp;{n}</source>
        <translation>第 {n} 类(&amp;{n})</translation>
    </message>
    <message>
        <source>Re&amp;generate data</source>
        <translation>重新生成数据(&amp;G)</translation>
    </message>
    <message>
        <source>New random points from the same preset</source>
        <translation>用同一预设重新随机生成数据点</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>&amp;Clear points</source>
        <translation>清空数据点(&amp;C)</translation>
    </message>
    <message>
        <source>Remove every point</source>
        <translation>删除所有点</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>&amp;Add hidden layer</source>
        <translation>添加隐藏层(&amp;A)</translation>
    </message>
    <message>
        <source>Remo&amp;ve last hidden layer</source>
        <translation>删除最后一个隐藏层(&amp;V)</translation>
    </message>
    <message>
        <source>Show &amp;test data</source>
        <translation>显示测试数据(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Discretise output</source>
        <translation>离散化输出(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Log-scale loss</source>
        <translation>损失用对数坐标(&amp;L)</translation>
    </message>
    <message>
        <source>Dar&amp;k theme</source>
        <translation>深色主题(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Presentation mode</source>
        <translation>演示模式(&amp;P)</translation>
    </message>
    <message>
        <source>Full screen with large type</source>
        <translation>全屏并使用大字体</translation>
    </message>
    <message>
        <source>Present</source>
        <translation>演示</translation>
    </message>
    <message>
        <source>Show the &amp;controls</source>
        <translation>显示控制面板(&amp;C)</translation>
    </message>
    <message>
        <source>Show or hide the Data, Network, Training and Timeline panels</source>
        <translation>显示或隐藏数据、网络、训练和时间轴面板</translation>
    </message>
    <message>
        <source>Controls</source>
        <translation>控制面板</translation>
    </message>
    <message>
        <source>&amp;Reset layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Play</source>
        <translation>播放(&amp;P)</translation>
    </message>
    <message>
        <source>Play / pause training</source>
        <translation>开始 / 暂停训练</translation>
    </message>
    <message>
        <source>Step &amp;batch</source>
        <translation>单步一批(&amp;B)</translation>
    </message>
    <message>
        <source>Train one mini-batch</source>
        <translation>训练一个小批量</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>单步</translation>
    </message>
    <message>
        <source>Step &amp;epoch</source>
        <translation>单步一轮(&amp;E)</translation>
    </message>
    <message>
        <source>Train to the end of the epoch</source>
        <translation>训练到本轮结束</translation>
    </message>
    <message>
        <source>Epoch</source>
        <translation>一轮</translation>
    </message>
    <message>
        <source>&amp;Reset</source>
        <translation>重置(&amp;R)</translation>
    </message>
    <message>
        <source>Start again from the same initial weights (same seed)</source>
        <translation>从相同的初始权重重新开始（相同种子）</translation>
    </message>
    <message>
        <source>Re-&amp;initialise</source>
        <translation>重新初始化(&amp;I)</translation>
    </message>
    <message>
        <source>Start again from new random weights (new seed)</source>
        <translation>从新的随机权重重新开始（新种子）</translation>
    </message>
    <message>
        <source>Re-init</source>
        <translation>初始化</translation>
    </message>
    <message>
        <source>&amp;Slower</source>
        <translation>减速(&amp;S)</translation>
    </message>
    <message>
        <source>Slow training down</source>
        <translation>放慢训练</translation>
    </message>
    <message>
        <source>&amp;Faster</source>
        <translation>加速(&amp;F)</translation>
    </message>
    <message>
        <source>Speed training up</source>
        <translation>加快训练</translation>
    </message>
    <message>
        <source>&amp;Maximum speed</source>
        <translation>最快速度(&amp;M)</translation>
    </message>
    <message>
        <source>Train as fast as the machine goes; click again for the pace before</source>
        <translation>以机器能达到的最快速度训练；再点一次恢复之前的速度</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>最快</translation>
    </message>
    <message>
        <source>&amp;Lower learning rate ÷10</source>
        <translation>学习率降为 1/10(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;About dlviz</source>
        <translation>关于 dlviz(&amp;A)</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>Paint &amp;class</source>
        <translation>画点类别(&amp;C)</translation>
    </message>
    <message>
        <source>Export &amp;view image</source>
        <translation>导出视图图像(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Copy view to clipboard</source>
        <translation>复制视图到剪贴板(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Panels and views</source>
        <translation>面板和视图(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Engine</source>
        <translation>引擎(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Lessons</source>
        <translation>课程(&amp;L)</translation>
    </message>
    <message>
        <source>Paint class 1 to 8</source>
        <translation>画第 1 到第 8 类</translation>
    </message>
    <message>
        <source>Right-drag</source>
        <translation>右键拖动</translation>
    </message>
    <message>
        <source>Erase points</source>
        <translation>擦除点</translation>
    </message>
    <message>
        <source>Shift+drag</source>
        <translation>Shift+拖动</translation>
    </message>
    <message>
        <source>Move a point</source>
        <translation>移动一个点</translation>
    </message>
</context>
<context>
    <name>activations</name>
    <message>
        <source>Linear</source>
        <translation>线性</translation>
    </message>
    <message>
        <source>Sigmoid</source>
        <translation>Sigmoid</translation>
    </message>
    <message>
        <source>Tanh</source>
        <translation>Tanh</translation>
    </message>
    <message>
        <source>ReLU</source>
        <translation>ReLU</translation>
    </message>
    <message>
        <source>Leaky ReLU</source>
        <translation>Leaky ReLU</translation>
    </message>
    <message>
        <source>ELU</source>
        <translation>ELU</translation>
    </message>
    <message>
        <source>GELU</source>
        <translation>GELU</translation>
    </message>
</context>
<context>
    <name>colours</name>
    <message>
        <source>orange</source>
        <translation>橙色</translation>
    </message>
    <message>
        <source>sky blue</source>
        <translation>天蓝色</translation>
    </message>
    <message>
        <source>bluish green</source>
        <translation>蓝绿色</translation>
    </message>
    <message>
        <source>yellow</source>
        <translation>黄色</translation>
    </message>
    <message>
        <source>blue</source>
        <translation>蓝色</translation>
    </message>
    <message>
        <source>vermillion</source>
        <translation>朱红色</translation>
    </message>
    <message>
        <source>reddish purple</source>
        <translation>紫红色</translation>
    </message>
    <message>
        <source>grey</source>
        <translation>灰色</translation>
    </message>
</context>
<context>
    <name>formats</name>
    <message>
        <source>ONNX model</source>
        <translation>ONNX 模型</translation>
    </message>
    <message>
        <source>NumPy weights</source>
        <translation>NumPy 权重</translation>
    </message>
    <message>
        <source>JSON weights</source>
        <translation>JSON 权重</translation>
    </message>
    <message>
        <source>safetensors</source>
        <translation>safetensors</translation>
    </message>
    <message>
        <source>PyTorch code</source>
        <translation>PyTorch 代码</translation>
    </message>
    <message>
        <source>NumPy code</source>
        <translation>NumPy 代码</translation>
    </message>
</context>
<context>
    <name>i18n</name>
    <message>
        <source>dlviz says (in English):
{message}</source>
        <translation>dlviz 的提示（英文原文）：
{message}</translation>
    </message>
    <message>
        <source>(in English) {message}</source>
        <translation>（英文）{message}</translation>
    </message>
</context>
<context>
    <name>landscape</name>
    <message>
        <source>direction 1</source>
        <translation>方向 1</translation>
    </message>
    <message>
        <source>direction 2</source>
        <translation>方向 2</translation>
    </message>
    <message>
        <source>path direction 1</source>
        <translation>路径方向 1</translation>
    </message>
    <message>
        <source>path direction 2</source>
        <translation>路径方向 2</translation>
    </message>
</context>
<context>
    <name>optimizers</name>
    <message>
        <source>Gradient descent (full batch)</source>
        <translation>梯度下降（全批量）</translation>
    </message>
    <message>
        <source>SGD (mini-batch)</source>
        <translation>随机梯度下降 SGD（小批量）</translation>
    </message>
    <message>
        <source>Momentum</source>
        <translation>动量法 Momentum</translation>
    </message>
    <message>
        <source>Nesterov momentum</source>
        <translation>Nesterov 动量</translation>
    </message>
    <message>
        <source>AdaGrad</source>
        <translation>AdaGrad</translation>
    </message>
    <message>
        <source>RMSprop</source>
        <translation>RMSprop</translation>
    </message>
    <message>
        <source>Adam</source>
        <translation>Adam</translation>
    </message>
    <message>
        <source>AdamW</source>
        <translation>AdamW</translation>
    </message>
</context>
<context>
    <name>presets</name>
    <message>
        <source>Digits (8×8)</source>
        <translation>手写数字（8×8）</translation>
    </message>
    <message>
        <source>MNIST (28×28)…</source>
        <translation>MNIST（28×28）…</translation>
    </message>
    <message>
        <source>Circle</source>
        <translation>圆形</translation>
    </message>
    <message>
        <source>XOR</source>
        <translation>异或</translation>
    </message>
    <message>
        <source>Gaussians</source>
        <translation>高斯分布</translation>
    </message>
    <message>
        <source>Spiral</source>
        <translation>螺旋</translation>
    </message>
    <message>
        <source>Moons</source>
        <translation>双月</translation>
    </message>
    <message>
        <source>Rings</source>
        <translation>圆环</translation>
    </message>
    <message>
        <source>Checkerboard</source>
        <translation>棋盘</translation>
    </message>
    <message>
        <source>Blobs</source>
        <translation>团簇</translation>
    </message>
    <message>
        <source>Plane</source>
        <translation>平面</translation>
    </message>
    <message>
        <source>Multigauss</source>
        <translation>多高斯</translation>
    </message>
    <message>
        <source>Hill</source>
        <translation>山丘</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>直线</translation>
    </message>
    <message>
        <source>Sine</source>
        <translation>正弦</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>阶跃</translation>
    </message>
    <message>
        <source>Textbook line</source>
        <translation>教材直线</translation>
    </message>
</context>
<context>
    <name>views</name>
    <message>
        <source>Decision boundary</source>
        <translation>决策边界</translation>
    </message>
    <message>
        <source>Confusion matrix</source>
        <translation>混淆矩阵</translation>
    </message>
    <message>
        <source>Confusion</source>
        <translation>混淆矩阵</translation>
    </message>
    <message>
        <source>Distributions</source>
        <translation>分布</translation>
    </message>
    <message>
        <source>Hidden space</source>
        <translation>隐藏层空间</translation>
    </message>
    <message>
        <source>Loss and accuracy</source>
        <translation>损失和准确率</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Weights &amp; gradients</source>
        <translation>权重和梯度</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Network graph</source>
        <translation>网络结构图</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>Activation functions</source>
        <translation>激活函数</translation>
    </message>
    <message>
        <source>Activations</source>
        <translation>激活函数</translation>
    </message>
    <message>
        <source>Backpropagation step by step</source>
        <translation>逐步反向传播</translation>
    </message>
    <message>
        <source>Backprop</source>
        <translation>反向传播</translation>
    </message>
    <message>
        <source>Loss landscape</source>
        <translation>损失曲面</translation>
    </message>
    <message>
        <source>Landscape</source>
        <translation>损失曲面</translation>
    </message>
    <message>
        <source>Loss functions</source>
        <translation>损失函数</translation>
    </message>
    <message>
        <source>Losses</source>
        <translation>损失函数</translation>
    </message>
    <message>
        <source>Optimizer race</source>
        <translation>优化器赛跑</translation>
    </message>
    <message>
        <source>Race</source>
        <translation>赛跑</translation>
    </message>
    <message>
        <source>Test gallery</source>
        <translation>测试集图库</translation>
    </message>
    <message>
        <source>Gallery</source>
        <translation>图库</translation>
    </message>
    <message>
        <source>Drawing pad</source>
        <translation>手写板</translation>
    </message>
    <message>
        <source>Pad</source>
        <translation>手写板</translation>
    </message>
    <message>
        <source>First-layer weights as images</source>
        <translation>第一层权重图像</translation>
    </message>
    <message>
        <source>Weight images</source>
        <translation>权重图像</translation>
    </message>
</context>
<context>
    <name>warm-up</name>
    <message>
        <source>training kernel</source>
        <translation>训练内核</translation>
    </message>
    <message>
        <source>prediction kernel</source>
        <translation>预测内核</translation>
    </message>
    <message>
        <source>boundary picture kernel</source>
        <translation>决策边界绘图内核</translation>
    </message>
    <message>
        <source>activation kernel</source>
        <translation>激活值内核</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
</context>
</TS>
