"""The generated training corpus of the semantic model.

Everything here is written by us or derived from the product's own knowledge base: the FAQ
phrasings given on the command line (by default crates/kefu-service/data/default-kb.jsonl,
Chinese and English), perturbed copies of them (spoken fillers, dropped characters,
homophones, reordering, repeated words; typos and dropped words in English), general
customer-service sentences built from the templates below (many industries: apps,
e-commerce, banking, securities, telecom, insurance, travel, short video, food delivery,
ride hailing, games, education, health, utilities, property, cloud services, devices),
general English customer-service sentences from English templates, and single words and
characters so that tokens outside the sentences still get a vector. All template text is
written for this project. No benchmark file (botbench: neither its FAQ nor its queries) is
ever read.
"""

import random

# Common characters for homophone slips (pinyin groups are built from these).
COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能"
    "下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量"
    "都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各"
    "重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代"
    "想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接"
    "知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北"
    "造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打"
    "白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今"
    "集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近"
    "矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写"
    "存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听"
    "该铁价严龙飞钱账密码登录户充退款股票卖买基余额提现绑卡冻结审核申诉直播粉丝视频会员费"
)

PREFIXES = [
    "那个", "你好，请问", "我想问一下", "就是", "呃", "嗯，那个", "请问一下", "麻烦问下", "你好",
    "喂，你好", "客服你好，", "问一下，", "就是那个", "我想咨询一下", "您好，", "那个那个",
    "我昨天", "我刚才", "为什么我", "帮我看看", "哦，", "是这样的，",
]
SUFFIXES = [
    "怎么办", "怎么回事啊", "可以吗", "谢谢", "呢", "了啊", "是吧", "啊", "呀", "怎么弄",
    "能帮我看看吗", "急急急", "在哪里", "是什么原因", "怎么处理", "求助", "谢谢了",
]

# General customer-service vocabulary, many industries. (Nothing here may restate an example
# query of the benchmark's documentation: those are dev queries.)
OBJECTS = [
    "账号", "账户", "密码", "登录密码", "交易密码", "支付密码", "手机号", "验证码", "短信验证码",
    "实名认证", "人脸识别", "身份证", "银行卡", "信用卡", "储蓄卡", "余额", "零钱", "钱包",
    "订单", "快递", "物流", "包裹", "退款", "退货", "换货", "发票", "优惠券", "红包", "积分",
    "会员", "vip", "自动续费", "套餐", "话费", "流量", "宽带", "充值", "提现", "转账", "收款码",
    "贷款", "还款", "额度", "利息", "分期", "保险", "保单", "理赔", "股票", "基金", "理财",
    "开户", "销户", "委托", "撤单", "持仓", "行情", "k线", "涨停", "资金", "可用资金", "可取资金",
    "新股申购", "中签", "融资融券", "佣金", "手续费", "定投", "分红", "软件", "app", "客户端",
    "电脑版", "手机版", "版本", "更新", "网页", "直播", "视频", "作品", "评论", "私信", "粉丝",
    "关注", "点赞", "广告", "推广", "收益", "佣金结算", "店铺", "商品", "橱窗", "机票", "酒店",
    "火车票", "门票", "预约", "挂号", "课程", "证书", "合同", "地址", "昵称", "头像", "消息通知",
    "隐私设置", "客服电话", "人工客服", "营业厅", "网点", "工作时间",
    # food delivery, ride hailing, travel, games, education, health, utilities, property,
    # cloud services, devices, cars, rentals, music and video streaming, social apps
    "外卖", "骑手", "配送费", "餐品", "商家", "打车", "司机", "车费", "行程", "取消费",
    "航班", "登机牌", "值机", "行李", "改签", "退票", "座位", "签证", "护照", "民宿",
    "游戏账号", "角色", "装备", "游戏币", "皮肤", "充值记录", "防沉迷", "未成年人模式",
    "网课", "学习进度", "考试", "成绩", "学分", "报名", "退课", "医保", "病历", "体检报告",
    "处方", "药品", "水费", "电费", "燃气费", "缴费记录", "物业费", "停车位", "门禁卡",
    "云服务器", "域名", "存储空间", "备份", "数据", "接口", "密钥", "设备", "耳机", "手表",
    "路由器", "保修", "维修", "售后", "安装师傅", "车辆", "违章", "年检", "车险", "租金",
    "押金", "押金退还", "歌曲", "歌单", "播放", "下载", "缓存", "投屏", "群聊", "好友",
    "聊天记录", "动态", "朋友圈", "黑名单", "举报", "投诉", "评价", "差评", "客服工单",
    "工单编号", "处理进度", "回访", "满意度", "反馈", "建议", "活动", "抽奖", "奖品",
    "签到", "任务", "等级", "认证", "蓝v认证", "企业认证", "资质", "营业执照", "主页",
    "个人中心", "设置", "通知", "权限", "定位", "相机权限", "存储权限", "麦克风",
]
ISSUES = [
    "怎么修改", "忘记了", "收不到", "无法登录", "在哪里查看", "为什么失败", "多久到账", "怎么取消",
    "怎么开通", "要收费吗", "被冻结了", "显示异常", "打不开", "一直闪退", "怎么设置", "怎么绑定",
    "怎么解绑", "怎么注销", "怎么申请", "审核不通过", "被限制了", "没有到账", "扣了两次钱",
    "怎么退", "能退吗", "在哪里找", "怎么用", "用不了", "不显示", "显示错误", "有什么规则",
    "有什么要求", "怎么查询", "查不到", "数据不对", "不更新", "怎么关闭", "怎么恢复", "丢了怎么办",
    "过期了", "什么时候生效", "多少钱", "怎么计算", "有上限吗", "可以改吗", "被盗了", "提示风险",
    "加载很慢", "一直转圈", "卡住了", "怎么联系", "找不到入口", "是真的吗", "安全吗",
    "迟迟没有处理", "一直没人管", "被误判了", "莫名其妙没了", "突然消失了", "重复扣费",
    "无法保存", "上传失败", "提交不了", "显示已过期", "不能使用", "怎么升级", "怎么降级",
    "怎么转让", "怎么共享", "怎么导出", "怎么删除", "怎么找回", "怎么认证", "怎么投诉",
    "怎么评价", "怎么修改信息", "信息填错了", "能不能加急", "要等多久", "什么时候发货",
    "什么时候退回来", "怎么补办", "怎么更换", "有没有优惠", "怎么兑换", "兑换失败",
    "领取不了", "提示违规", "被封禁了", "被警告了", "怎么解除限制", "怎么申诉",
]
QUESTION_FORMS = [
    "{o}{i}", "{o}{i}？", "我的{o}{i}", "请问{o}{i}", "{o}为什么{i}", "为什么我的{o}{i}",
    "{o}{i}怎么办", "我想问问{o}{i}", "{o}{i}了怎么处理", "你好，{o}{i}", "{o}一直{i}",
    "怎么{o}{i}", "帮我查一下{o}", "{o}的问题", "关于{o}的问题", "{o}和{o2}有什么区别",
    "{o}{i}，{o2}也{i2}", "刚刚{o}{i}", "{o}{i}是什么原因", "昨天{o}{i}，今天还是不行",
]
STANDALONE = [
    "人工客服在哪里", "转人工", "我要找人工", "有没有真人客服", "客服什么时候上班",
    "周末有客服吗", "晚上有人值班吗", "你们几点下班", "打电话没人接",
    "这个服务收费吗", "是免费的吗", "多久能回复", "怎么一直没人回复", "我要投诉",
    "你们是骗子吧", "太慢了", "能不能快点处理", "我的问题还没解决", "谢谢你", "你好",
    "你是机器人吗", "听不懂你说什么", "没用", "问题解决了", "我不会操作", "教我一下",
    "在吗", "有人吗", "系统是不是出问题了", "今天系统维护吗", "网络不好", "怎么注册",
    "怎么下载", "怎么退出登录", "换手机了怎么办", "手机丢了怎么办", "号码不用了怎么办",
    "钱没了", "钱去哪了", "为什么扣钱", "乱扣费", "我没有买为什么扣款", "怎么取消订阅",
    "怎么关闭自动续费", "开发票", "发票抬头写错了", "修改收货地址", "快递一直不动",
    "买入失败", "委托没成交", "怎么撤单",
    "怎么看持仓", "收盘后还能交易吗", "几点开盘", "节假日交易吗", "新股怎么申购",
    "中签了怎么缴款", "开户需要什么", "怎么换绑银行卡", "银证转账失败", "转账限额是多少",
    "密码错误次数太多被锁了", "验证码一直收不到", "登不上去", "一直提示网络错误",
    "软件更新后用不了", "电脑上怎么安装", "手机上怎么用", "怎么看行情", "指标怎么设置",
    "会员到期了", "会员怎么续费", "买了会员没生效", "退会员费", "直播权限怎么开",
    "直播被封了", "视频审核多久", "作品被限流", "粉丝掉了", "收益怎么提现",
    "广告怎么投放", "广告费怎么退", "有人冒充客服", "收到诈骗短信", "账号被别人登录了",
    "外卖送错了", "骑手一直不送", "餐洒了怎么赔", "司机绕路了", "东西落在车上了",
    "航班延误有补偿吗", "行李丢了找谁", "酒店到了没房间", "游戏充值没到账", "孩子乱充值能退吗",
    "课程买错了能退吗", "挂号怎么取消", "电费交错户号了", "物业不处理问题", "服务器连不上",
    "耳机坏了怎么保修", "上门维修怎么约", "押金什么时候退", "歌曲下载不了", "聊天记录怎么恢复",
    "被拉黑了怎么办", "我要差评", "工单一直没人处理", "处理结果我不满意", "回访电话是你们打的吗",
    "能不能换个客服", "上次的问题还没解决", "我已经说了很多遍了", "别让我等了", "你们太不负责了",
    "我要退钱", "我要注销", "怎么联系商家", "商家不理我", "平台能不能介入",
    "我的信息会泄露吗", "怎么关闭个性化推荐", "怎么删除我的数据", "未成年人退款怎么申请",
    "实名认证不是我本人", "手机号被别人注册了", "换绑手机号收不到验证码", "两步验证怎么开",
    "异地登录提醒", "账号被封多久解封", "怎么提高账号等级", "违规记录怎么消除",
]

# General English customer-service sentences (English phrasings and queries share tokens).
EN_OBJECTS = [
    "account", "password", "login", "phone number", "verification code", "email", "username",
    "profile", "ID verification", "bank card", "credit card", "balance", "wallet", "order",
    "package", "delivery", "refund", "return", "invoice", "coupon", "points", "membership",
    "subscription", "auto-renewal", "plan", "top-up", "withdrawal", "payment", "transfer",
    "loan", "insurance claim", "app", "update", "video", "post", "comment", "message",
    "followers", "live stream", "ad campaign", "ad account", "earnings", "payout", "store",
    "product", "flight", "booking", "ticket", "hotel", "ride", "driver", "game account",
    "course", "certificate", "appointment", "bill", "device", "warranty", "repair",
    "deposit", "playlist", "chat history", "friend", "report", "complaint", "appeal",
    "support ticket", "case", "feedback", "survey", "notification", "privacy settings",
    "two-factor authentication", "security settings", "creator program", "content",
]
EN_ISSUES = [
    "not working", "was declined", "is missing", "was charged twice", "is locked",
    "was suspended", "was banned", "is stuck", "keeps failing", "won't load", "disappeared",
    "was rejected", "is taking too long", "is wrong", "was hacked", "expired",
    "did not arrive", "can't be found", "shows an error", "got restricted", "was removed",
]
EN_ACTIONS = [
    "change", "reset", "cancel", "update", "delete", "recover", "verify", "link", "unlink",
    "set up", "turn off", "turn on", "check", "find", "appeal", "request", "apply for",
    "renew", "transfer", "close", "open", "report", "track", "edit",
]
EN_FORMS = [
    "How do I {a} my {o}?", "how to {a} {o}", "Can I {a} my {o}?", "my {o} {i}",
    "Why is my {o} {i}?", "{o} {i}, what should I do", "I need to {a} my {o}",
    "Where can I {a} my {o}?", "help, my {o} {i}", "is there a fee to {a} my {o}",
    "how long does it take to {a} my {o}", "I can't {a} my {o}", "{o} {i}",
    "what happens if my {o} {i}", "who do I contact when my {o} {i}",
    "I want to {a} my {o} and my {o2}", "{o} question", "hi, my {o} {i} again",
]
EN_STANDALONE = [
    "talk to a human", "I want a real person", "is customer service free", "are you a bot",
    "when are you open", "is support available 24/7", "how long until someone replies",
    "nobody answered me", "this is taking forever", "I want to file a complaint",
    "thank you", "hello", "hi there", "that did not help", "my problem is solved",
    "I don't understand", "where is the help center", "how do I contact support",
    "I was charged but didn't buy anything", "someone else logged into my account",
    "I got a scam message", "my phone was stolen", "I changed my phone number",
    "can I get a refund", "please hurry", "this is unacceptable", "none of these",
]



def _chars(text):
    return [c for c in text]


class Perturber:
    """Makes noisy copies of a phrasing, as spoken and typed questions are noisy."""

    def __init__(self, pinyin_of, seed):
        self.rng = random.Random(seed)
        groups = {}
        for c in sorted(set(COMMON)):
            p = pinyin_of(c)
            if p:
                groups.setdefault(p, []).append(c)
        self.homophones = {c: [o for o in groups[p] if o != c] for p, g in groups.items() for c in g}
        self.pinyin_of = pinyin_of

    def homophone(self, c):
        options = self.homophones.get(c)
        if options is None:
            p = self.pinyin_of(c)
            options = [o for o in self.homophones if self.pinyin_of(o) == p and o != c] if p else []
            self.homophones[c] = options
        return self.rng.choice(options) if options else c

    def perturb(self, text, other):
        rng = self.rng
        chars = _chars(text)
        for _ in range(1 + rng.randrange(4)):
            n = len(chars)
            if n < 3:
                break
            op = rng.randrange(9)
            if op == 0:
                span = min(1 + rng.randrange(3), n - 2)
                at = rng.randrange(n - span + 1)
                del chars[at:at + span]
            elif op in (1, 2):
                i = rng.randrange(n)
                chars[i] = self.homophone(chars[i])
            elif op == 3:
                chars[0:0] = _chars(rng.choice(PREFIXES))
            elif op == 4:
                chars.extend(_chars(rng.choice(SUFFIXES)))
            elif op == 5:
                cut = 1 + rng.randrange(n - 1)
                chars = chars[cut:] + chars[:cut]
            elif op == 6:
                at = rng.randrange(n - 1)
                chars[at:at] = chars[at:at + 2]
            elif op == 7 and other:
                o = _chars(other)
                span = min(2 + rng.randrange(3), len(o))
                start = rng.randrange(len(o) - span + 1)
                at = rng.randrange(n)
                chars[at:at] = o[start:start + span]
            else:
                at = rng.randrange(n)
                chars[at:at] = _chars(rng.choice(["那个", "就是", "呃", "嗯", "然后", "这个"]))
        return "".join(chars)


def template_sentences(count, seed):
    """`count` general sentences in the order made (a smaller count gives a prefix)."""
    rng = random.Random(seed)
    out = dict.fromkeys(STANDALONE)
    while len(out) < count:
        form = rng.choice(QUESTION_FORMS)
        text = form.format(
            o=rng.choice(OBJECTS), i=rng.choice(ISSUES),
            o2=rng.choice(OBJECTS), i2=rng.choice(ISSUES),
        )
        if rng.random() < 0.3:
            text = rng.choice(PREFIXES) + text
        if rng.random() < 0.2:
            text = text + rng.choice(SUFFIXES)
        out[text] = None
    return list(out)[:count]


def dictionary_words(path, count):
    """The most frequent 2–4 character Chinese words of jieba's dictionary."""
    words = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            w, freq = parts[0], int(parts[1])
            if 2 <= len(w) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in w):
                words.append((freq, w))
    words.sort(reverse=True)
    return [w for _, w in words[:count]]


def english_sentences(count, seed):
    """`count` general English sentences in the order made (a smaller count gives a prefix)."""
    rng = random.Random(seed)
    out = dict.fromkeys(EN_STANDALONE)
    while len(out) < count:
        text = rng.choice(EN_FORMS).format(
            a=rng.choice(EN_ACTIONS), o=rng.choice(EN_OBJECTS), i=rng.choice(EN_ISSUES),
            o2=rng.choice(EN_OBJECTS),
        )
        if rng.random() < 0.2:
            text = rng.choice(["hi, ", "hello, ", "excuse me, ", "quick question: ", "please "]) + text
        if rng.random() < 0.3:
            text = text.lower().rstrip("?")
        out[text] = None
    return list(out)[:count]


def is_latin(text):
    """True when a phrasing is written in Latin letters (an English phrasing)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isascii() for c in letters) * 2 > len(letters)


class EnglishPerturber:
    """Noisy copies of an English phrasing: words dropped, typos, fillers, lower case."""

    FILLERS = ["hi ", "hello, ", "um ", "please ", "so ", "quick question, "]
    ENDINGS = [" please", " asap", "??", " thanks", " help", " pls"]

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def perturb(self, text):
        rng = self.rng
        words = text.split()
        for _ in range(1 + rng.randrange(3)):
            op = rng.randrange(5)
            if op == 0 and len(words) > 3:
                del words[rng.randrange(len(words))]
            elif op == 1 and words:
                i = rng.randrange(len(words))
                w = words[i]
                if len(w) > 3:
                    j = rng.randrange(len(w) - 1)
                    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
            elif op == 2:
                words.insert(0, rng.choice(self.FILLERS).strip())
            elif op == 3:
                words.append(rng.choice(self.ENDINGS).strip())
            else:
                words = [w.lower() for w in words]
        return " ".join(words)
